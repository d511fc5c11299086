/**
 * A small GraphQL document parser for the GitLab fake (https://spec.graphql.org/October2021/):
 * one operation (`query Name($v: T!) { … }` or an anonymous `{ … }`), fields with aliases and
 * arguments (strings, block strings excluded, numbers, booleans, null, enums, variables, lists,
 * objects). Fragments, directives and mutations are refused with a GraphQL error, as a server
 * without them would: the fake answers only what its client sends.
 */
export interface Field {
  name: string;
  alias: string | null;
  args: Record<string, Value>;
  selections: Field[];
  line: number;
  column: number;
}

export type Value = { var: string } | string | number | boolean | null | Value[] | { obj: Record<string, Value> } | { enum: string };

export interface Operation {
  selections: Field[];
  /** declared variables and their default values */
  variables: Record<string, Value | undefined>;
}

export class GraphQLSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'punct' | 'name' | 'string' | 'number' | 'var' | 'eof';
  text: string;
  line: number;
  column: number;
}

const PUNCT = new Set(['{', '}', '(', ')', ':', '[', ']', '!', '=', '$', '@']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const at = (): { line: number; column: number } => ({ line, column: i - lineStart + 1 });
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === ',' || c === '\ufeff') i++;
    else if (c === '#') while (i < src.length && src[i] !== '\n') i++;
    else if (c === '.' && src.startsWith('...', i)) throw new GraphQLSyntaxError('Fragments are not supported', line, i - lineStart + 1);
    else if (PUNCT.has(c)) {
      out.push({ kind: 'punct', text: c, ...at() });
      i++;
    } else if (c === '"') {
      const pos = at();
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') throw new GraphQLSyntaxError('Unterminated string', pos.line, pos.column);
        if (src[j] === '\\') {
          const e = src[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
          if (e === 'u') {
            text += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          if (e === undefined || map[e] === undefined) throw new GraphQLSyntaxError('Bad escape in string', pos.line, pos.column);
          text += map[e];
          j += 2;
          continue;
        }
        text += src[j];
        j++;
      }
      if (j >= src.length) throw new GraphQLSyntaxError('Unterminated string', pos.line, pos.column);
      out.push({ kind: 'string', text, ...pos });
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new GraphQLSyntaxError(`Unexpected character "${c}"`, line, i - lineStart + 1);
      out.push({ kind: 'number', text: m[0], ...at() });
      i += m[0].length;
    } else if (/[_A-Za-z]/.test(c)) {
      const m = /^[_A-Za-z][_0-9A-Za-z]*/.exec(src.slice(i))!;
      out.push({ kind: 'name', text: m[0], ...at() });
      i += m[0].length;
    } else throw new GraphQLSyntaxError(`Unexpected character "${c}"`, line, i - lineStart + 1);
  }
  out.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return out;
}

export function parseDocument(src: string): Operation {
  const t = tokenize(src);
  let p = 0;
  const peek = (): Token => t[p]!;
  const next = (): Token => t[p++]!;
  const fail = (tok: Token, what: string): never => {
    throw new GraphQLSyntaxError(`Parse error on ${tok.kind === 'eof' ? 'end of input' : JSON.stringify(tok.text)} (${tok.kind}): expected ${what}`, tok.line, tok.column);
  };
  const expect = (text: string): Token => (peek().text === text && peek().kind === 'punct' ? next() : fail(peek(), `"${text}"`));
  const name = (): string => (peek().kind === 'name' ? next().text : fail(peek(), 'a name'));

  function value(isConst: boolean): Value {
    const tok = next();
    if (tok.kind === 'punct' && tok.text === '$' && !isConst) return { var: name() };
    if (tok.kind === 'string') return tok.text;
    if (tok.kind === 'number') return Number(tok.text);
    if (tok.kind === 'name') {
      if (tok.text === 'true' || tok.text === 'false') return tok.text === 'true';
      if (tok.text === 'null') return null;
      return { enum: tok.text };
    }
    if (tok.kind === 'punct' && tok.text === '[') {
      const list: Value[] = [];
      while (peek().text !== ']') list.push(value(isConst));
      next();
      return list;
    }
    if (tok.kind === 'punct' && tok.text === '{') {
      const obj: Record<string, Value> = {};
      while (peek().text !== '}') {
        const k = name();
        expect(':');
        obj[k] = value(isConst);
      }
      next();
      return { obj };
    }
    return fail(tok, 'a value');
  }

  function selectionSet(): Field[] {
    expect('{');
    const fields: Field[] = [];
    while (!(peek().kind === 'punct' && peek().text === '}')) {
      const first = peek();
      let fieldName = name();
      let alias: string | null = null;
      if (peek().text === ':' && peek().kind === 'punct') {
        next();
        alias = fieldName;
        fieldName = name();
      }
      const args: Record<string, Value> = {};
      if (peek().text === '(' && peek().kind === 'punct') {
        next();
        while (peek().text !== ')') {
          const k = name();
          expect(':');
          args[k] = value(false);
        }
        next();
      }
      if (peek().text === '@') throw new GraphQLSyntaxError('Directives are not supported', peek().line, peek().column);
      const selections = peek().text === '{' && peek().kind === 'punct' ? selectionSet() : [];
      fields.push({ name: fieldName, alias, args, selections, line: first.line, column: first.column });
    }
    next();
    return fields;
  }

  const variables: Record<string, Value | undefined> = {};
  if (peek().kind === 'name') {
    const op = next();
    if (op.text !== 'query') throw new GraphQLSyntaxError(`Operation "${op.text}" is not supported`, op.line, op.column);
    if (peek().kind === 'name') next();
    if (peek().text === '(') {
      next();
      while (peek().text !== ')') {
        expect('$');
        const v = name();
        expect(':');
        // the type: a name, a list of one, each possibly non-null
        let depth = 0;
        while (peek().text === '[') {
          next();
          depth++;
        }
        name();
        if (peek().text === '!') next();
        for (; depth > 0; depth--) {
          expect(']');
          if (peek().text === '!') next();
        }
        variables[v] = undefined;
        if (peek().text === '=') {
          next();
          variables[v] = value(true);
        }
      }
      next();
    }
  }
  const selections = selectionSet();
  if (peek().kind !== 'eof') fail(peek(), 'end of input (one operation per document)');
  return { selections, variables };
}
