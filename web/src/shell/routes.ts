// The app's pages, in navigation order. Each page is its own lazily loaded chunk.
import { lazy, type ComponentType } from "react";

export interface Section {
  path: string;
  label: string;
  page: ComponentType;
}

const placeholder = (name: string) =>
  lazy(async () => {
    const { placeholderPage } = await import("../pages/Placeholder");
    return { default: placeholderPage(name) };
  });

export const SECTIONS: Section[] = [
  { path: "/services", label: "Services", page: placeholder("services") },
  { path: "/service-map", label: "Service map", page: placeholder("service-map") },
  { path: "/traces", label: "Traces", page: lazy(() => import("../traces/SearchPage")) },
  { path: "/logs", label: "Logs", page: lazy(() => import("../logs/LogsPage")) },
  { path: "/explore", label: "Metrics", page: lazy(() => import("../metrics/MetricsPage")) },
  { path: "/alerts", label: "Alerts", page: placeholder("alerts") },
  { path: "/dashboards", label: "Dashboards", page: placeholder("dashboards") },
];

export const TraceViewPage = lazy(() => import("../traces/TraceViewPage"));

export const HOME = "/traces";

/** Paths the UI moves elsewhere when it gets there by a link inside the app (the server owns `/metrics`). */
export const ALIASES: Record<string, string> = { "/": HOME, "/metrics": "/explore" };

export interface Match {
  page: ComponentType | null;
  /** The navigation entry to highlight. */
  section: string | null;
}

export function matchRoute(pathname: string): Match {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path.startsWith("/traces/")) return { page: TraceViewPage, section: "/traces" };
  const section = SECTIONS.find((s) => s.path === path);
  return section ? { page: section.page, section: section.path } : { page: null, section: null };
}
