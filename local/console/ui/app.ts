/// <reference lib="dom" />
/** The page shell: header with navigation and the live indicator, and the routed page. */
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLiveState } from './live';
import { ROUTES, route } from './routes';

function LiveIndicator() {
  const connected = useLiveState();
  return h(
    'span',
    { class: connected ? 'live on' : 'live off', role: 'status', 'aria-live': 'polite' },
    connected ? 'Live' : 'Reconnecting…',
  );
}

export function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  useEffect(() => {
    const heading = document.getElementById('page-title');
    heading?.focus({ preventScroll: true });
  }, [hash]);
  const page = route(hash);
  const current = hash.replace(/^#/, '') || '/';
  return h(
    'div',
    { class: 'shell' },
    h(
      'a',
      {
        class: 'skip',
        href: '#main',
        onClick: (event: Event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        },
      },
      'Skip to content',
    ),
    h(
      'header',
      { class: 'top' },
      h('h1', null, 'Local SageMaker Pipelines'),
      h(
        'nav',
        { 'aria-label': 'Console' },
        h(
          'ul',
          null,
          ROUTES.filter((r) => r.nav).map((r) =>
            h(
              'li',
              { key: r.nav?.href },
              h(
                'a',
                {
                  href: r.nav?.href,
                  'aria-current': r.nav?.href === `#${current}` ? 'page' : undefined,
                },
                r.nav?.label,
              ),
            ),
          ),
        ),
      ),
      h(LiveIndicator, null),
    ),
    h(
      'main',
      { id: 'main', tabIndex: -1 },
      page ?? h('p', null, 'No such page. ', h('a', { href: '#/' }, 'See the pipelines.')),
    ),
  );
}
