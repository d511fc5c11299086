/**
 * Markdown output written front to back, for the streaming HTML converter: separators owed
 * between blocks, collapsed whitespace, emphasis markers held back until text follows (so
 * `<b> x </b>` gives ` **x** `, and an empty `<b></b>` nothing), and each line's prefix of
 * quote marks and list indentation. Every write is proportional to what it appends plus the
 * prefix, and prefixes stop growing at MAX_NESTING levels.
 */

const MAX_NESTING = 16;

export class MarkdownWriter {
  private out = '';
  /** Newlines owed before the next text: 1 ends a line, 2 a block. */
  private breaks = 0;
  private space = false;
  private lineStart = true;
  private readonly opens: string[] = [];
  private quotes = 0;
  /** Quote depth of the blank line owed: the shallower side of the break it separates. */
  private breakQuotes = 0;
  /** Indentation through each open list item, growing for the first MAX_NESTING levels only. */
  private readonly indents: string[] = [''];
  private marker = '';
  /** Inside a table cell every break is a space. */
  cells = 0;

  /** Ends the current line (1) or block (2) before whatever comes next. */
  newline(count: 1 | 2): void {
    if (this.cells > 0) this.space = true;
    else if (this.out !== '') {
      this.breakQuotes = this.breaks === 0 ? this.quotes : Math.min(this.breakQuotes, this.quotes);
      this.breaks = Math.max(this.breaks, count);
    }
  }

  /** Whether the next text begins a line (where `#`, `>`, `-` or `1.` would start a block). */
  startsLine(): boolean {
    return this.lineStart || this.breaks > 0;
  }

  /** Collapsed whitespace: one space before the next text, unless a line starts there. */
  blank(): void {
    this.space = true;
  }

  /** A marker (`**`, `[`, `# `) written only when text follows it; 0 when nested too deep. */
  open(marker: string): number {
    if (this.opens.length >= MAX_NESTING) return 0;
    this.opens.push(marker);
    return this.opens.length;
  }

  /** Closes what open() returned: its closing text if the opener was written, else nothing. */
  close(handle: number, closing: string): void {
    if (handle === 0) return;
    if (this.opens.length >= handle) this.opens.length = handle - 1;
    else this.write(closing, true);
  }

  quote(delta: 1 | -1): void {
    this.quotes = Math.max(0, this.quotes + delta);
  }

  /** A list item: `marker` on its first line, its width of indentation on the following ones. */
  item(marker: string): void {
    this.newline(1);
    this.marker = marker;
    const outer = this.indents[this.indents.length - 1] ?? '';
    this.indents.push(this.indents.length > MAX_NESTING ? outer : outer + ' '.repeat(marker.length));
  }

  endItem(): void {
    if (this.indents.length > 1) this.indents.pop();
    this.marker = '';
  }

  private prefix(blankLine: boolean): string {
    const depth = blankLine ? Math.min(this.quotes, this.breakQuotes) : this.quotes;
    const quotes = '> '.repeat(Math.min(depth, MAX_NESTING));
    if (blankLine) return quotes.trimEnd();
    const level = this.indents.length - (this.marker === '' ? 1 : 2);
    return quotes + (this.indents[level] ?? '') + this.marker;
  }

  private startLine(): void {
    if (this.breaks > 0) {
      this.out += this.breaks === 2 ? `\n${this.prefix(true)}\n` : '\n';
      this.breaks = 0;
      this.lineStart = true;
    }
    if (this.lineStart) {
      this.out += this.prefix(false);
      this.marker = '';
      this.space = false;
    }
  }

  /** Appends text; `closing` text (a closing marker) ignores owed breaks and spaces. */
  write(text: string, closing = false): void {
    if (text === '') return;
    if (!closing) {
      this.startLine();
      if (this.space && !this.lineStart) this.out += ' ';
      this.space = false;
      for (const marker of this.opens) this.out += marker;
      this.opens.length = 0;
    }
    this.out += text;
    this.lineStart = false;
  }

  /** Preformatted text: written line by line with the current prefix, nothing collapsed. */
  writeLines(text: string): void {
    text.split('\n').forEach((line, i) => {
      if (i > 0) this.newline(1);
      if (line !== '') this.write(line);
      else if (i > 0) this.startLine();
    });
  }

  /** A line break inside a paragraph (`<br>`). */
  hardBreak(): void {
    if (this.cells > 0) return this.blank();
    this.out += this.lineStart ? '\n' : '  \n';
    this.lineStart = true;
    this.space = false;
  }

  toString(): string {
    return this.out.trim();
  }
}
