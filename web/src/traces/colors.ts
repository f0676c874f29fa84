// Service colours in a trace: distinct hues assigned in order of first appearance.
const PALETTE = [
  "#5794f2", "#73bf69", "#fade2a", "#b877d9", "#ff9830", "#8ab8ff",
  "#56a64b", "#ca95e5", "#ffb357", "#3fc5c5", "#c4a000", "#de7bb5",
];

export function serviceColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}
