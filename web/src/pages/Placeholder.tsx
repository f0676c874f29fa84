// Sections that are not built yet say what they will hold.
import type { ComponentType } from "react";

const PLANS: Record<string, { title: string; plan: string[] }> = {
  services: {
    title: "Services",
    plan: [
      "Every service with its request rate, error rate and latency percentiles (RED) for the selected time range.",
      "A service page with RED charts, its operations, recent errors, logs, traces and its neighbourhood in the map.",
    ],
  },
  "service-map": {
    title: "Service map",
    plan: [
      "The graph of services and the databases and peers they call, derived from client/server and producer/consumer spans.",
      "Edges coloured by health (green, orange degraded, red failing, grey idle) with rate, errors and latency, and the change against the previous period.",
    ],
  },
  alerts: {
    title: "Alerts",
    plan: ["Alerting and recording rules with their state (inactive, pending, firing), active alerts, silences and notification routes."],
  },
  dashboards: {
    title: "Dashboards",
    plan: ["Saved panels of PromQL and LogQL queries that follow the global time range and link to logs and traces."],
  },
};

export function placeholderPage(name: string): ComponentType {
  const { title, plan } = PLANS[name];
  return function PlaceholderPage() {
    return (
      <section className="placeholder" data-testid={`page-${name}`}>
        <h1>{title}</h1>
        <p className="muted">This section is coming. It will show:</p>
        <ul>
          {plan.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
    );
  };
}
