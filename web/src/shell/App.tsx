// The shell: header with navigation and the global time range, and the current page.
import { Suspense, useEffect } from "react";
import { Link, navigate, useLocation } from "../lib/router";
import { ErrorBanner, ErrorBoundary } from "./ErrorBanner";
import { ALIASES, HOME, matchRoute, SECTIONS } from "./routes";
import { TimeProvider, useTime } from "./time";
import { TimeRangePicker } from "./TimeRangePicker";
import { TraceIdLookup } from "./TraceIdLookup";

function Header({ active }: { active: string | null }) {
  const { hrefWithRange } = useTime();
  return (
    <header className="app-header">
      <Link className="brand" href={hrefWithRange(HOME)}>
        <span className="brand-mark" aria-hidden>
          ◈
        </span>
        meshscope
      </Link>
      <nav className="main-nav" aria-label="Sections">
        {SECTIONS.map((section) => (
          <Link
            key={section.path}
            href={hrefWithRange(section.path)}
            className={section.path === active ? "active" : undefined}
            aria-current={section.path === active ? "page" : undefined}
          >
            {section.label}
          </Link>
        ))}
      </nav>
      <TraceIdLookup />
      <TimeRangePicker />
    </header>
  );
}

export function App() {
  const { pathname, params } = useLocation();
  const search = params.toString();
  useEffect(() => {
    const target = ALIASES[pathname];
    if (target) navigate(search ? `${target}?${search}` : target, { replace: true });
  }, [pathname, search]);
  const match = matchRoute(pathname);
  const Page = match.page;

  return (
    <TimeProvider>
      <div className="app">
        <Header active={match.section} />
        <main className="page">
          <ErrorBoundary resetKey={pathname}>
            <Suspense fallback={<div className="loading">Loading…</div>}>
              {Page ? <Page /> : !ALIASES[pathname] && <ErrorBanner title="Not found" message={`no page at ${pathname}`} />}
            </Suspense>
          </ErrorBoundary>
        </main>
      </div>
    </TimeProvider>
  );
}
