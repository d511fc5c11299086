/**
 * Client routing under /ui/ with the History API (the service answers every /ui/ path with
 * index.html). A navigation moves focus to the new page's heading, so a screen reader hears it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/ui';

export type Route =
  | { page: 'jobs' }
  | { page: 'job'; jobId: string }
  | { page: 'new' }
  | { page: 'syncs' }
  | { page: 'missing' };

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  if (path === '' || path === '/') return { page: 'jobs' };
  if (path === '/new') return { page: 'new' };
  if (path === '/syncs') return { page: 'syncs' };
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job) return { page: 'job', jobId: decodeURIComponent(job[1]!) };
  return { page: 'missing' };
}

const listeners = new Set<() => void>();
let navigated = false;

/** False on the page the browser loaded, true once the person moved within the app. */
export const hasNavigated = (): boolean => navigated;

export function navigate(to: string): void {
  if (to === window.location.pathname) return;
  navigated = true;
  history.pushState(null, '', to);
  listeners.forEach((fn) => fn());
}

export function useRoute(): Route {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => {
      navigated = true;
      setPath(window.location.pathname);
    };
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return parseRoute(path);
}

interface LinkProps {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-label'?: string;
  'aria-current'?: 'page';
}

export function Link(props: LinkProps) {
  const { href, children, ...rest } = props;
  const onClick = (e: MouseEvent) => {
    // New tabs and windows go the browser's way.
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a {...rest} href={href} onClick={onClick}>
      {children}
    </a>
  );
}
