/** A page's h1, focused when the page opens so keyboard and screen-reader users land on it. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { hasNavigated } from '../router.js';

export function Heading({ children, title }: { children: ComponentChildren; title: string }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · integration-service`;
  }, [title]);
  useEffect(() => {
    // Not on the first page load: focus belongs at the top of the document then.
    if (hasNavigated()) h1.current?.focus();
  }, []);
  return (
    <h1 id="page-title" ref={h1} tabIndex={-1}>
      {children}
    </h1>
  );
}
