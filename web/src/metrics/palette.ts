// Series colours: Grafana's classic palette, repeated.
const PALETTE = [
  "#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0",
  "#508642", "#cca300", "#447ebc", "#c15c17", "#890f02", "#0a437c", "#6d1f62", "#584477",
];

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}
