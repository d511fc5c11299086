/** The dashboard: a header with the sections, the page for the current path, the API key prompt. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentKeyRequest, forgetKey, onKeyChange, storedKey } from './api.js';
import { Heading } from './components/Heading.js';
import { KeyDialog } from './components/KeyDialog.js';
import { JobPage } from './pages/JobPage.js';
import { JobsPage } from './pages/JobsPage.js';
import { NewImportPage } from './pages/NewImportPage.js';
import { SyncsPage } from './pages/SyncsPage.js';
import { BASE, Link, useRoute, type Route } from './router.js';
import './styles.css';

function useKeyState() {
  const [, setTick] = useState(0);
  useEffect(() => onKeyChange(() => setTick((t) => t + 1)), []);
  return { request: currentKeyRequest(), hasKey: storedKey() !== null };
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'jobs':
      return <JobsPage />;
    case 'job':
      return <JobPage key={route.jobId} jobId={route.jobId} />;
    case 'new':
      return <NewImportPage />;
    case 'syncs':
      return <SyncsPage />;
    case 'missing':
      return (
        <section aria-labelledby="page-title">
          <Heading title="Not found">Nothing here</Heading>
          <Link href={`${BASE}/`}>Go to the imports</Link>
        </section>
      );
  }
}

function App() {
  const route = useRoute();
  const key = useKeyState();
  const current = (page: Route['page'] | Route['page'][]) =>
    ([] as string[]).concat(page).includes(route.page) ? ('page' as const) : undefined;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header inert={key.request !== null}>
        <span class="brand">integration-service</span>
        <nav aria-label="Sections">
          <Link href={`${BASE}/`} aria-current={current(['jobs', 'job'])}>
            Imports
          </Link>
          <Link href={`${BASE}/new`} aria-current={current('new')}>
            New import
          </Link>
          <Link href={`${BASE}/syncs`} aria-current={current('syncs')}>
            Syncs
          </Link>
          <a href="/docs">API docs</a>
        </nav>
        {key.hasKey && (
          <button type="button" class="link" onClick={forgetKey}>
            Forget API key
          </button>
        )}
      </header>
      <main id="main" inert={key.request !== null}>
        <Page route={route} />
      </main>
      {key.request && <KeyDialog request={key.request} />}
    </>
  );
}

render(<App />, document.getElementById('app')!);
