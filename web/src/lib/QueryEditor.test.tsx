import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, expect, it, vi } from "vitest";
import type { CompletionContext } from "./completion";
import { cached, QueryEditor } from "./QueryEditor";

afterEach(cleanup);

function Editor({ onRun = () => {}, suggest }: { onRun?: () => void; suggest: (c: CompletionContext) => Promise<string[]> }) {
  const [value, setValue] = useState("");
  return <QueryEditor value={value} onChange={setValue} onRun={onRun} language="logql" suggest={suggest} testId="editor" />;
}

const type = (text: string) => {
  const area = screen.getByTestId("editor") as HTMLTextAreaElement;
  fireEvent.change(area, { target: { value: text, selectionStart: text.length } });
  return area;
};

it("offers label names, then values, and puts the picked one in", async () => {
  const suggest = vi.fn(async (context: CompletionContext) => (context.kind === "value" ? ["checkout", "web"] : ["service_name", "host_name"]));
  render(<Editor suggest={suggest} />);
  type("{ser");
  const options = await screen.findAllByTestId("suggestion");
  expect(options.map((o) => o.textContent)).toEqual(["service_name"]);
  const area = screen.getByTestId("editor") as HTMLTextAreaElement;
  fireEvent.keyDown(area, { key: "Enter" });
  expect(area.value).toBe("{service_name");
  expect(screen.queryByTestId("suggestions")).toBeNull();

  type('{service_name="');
  expect((await screen.findAllByTestId("suggestion")).map((o) => o.textContent)).toEqual(["checkout", "web"]);
  fireEvent.keyDown(area, { key: "ArrowDown" });
  fireEvent.keyDown(area, { key: "Tab" });
  expect(area.value).toBe('{service_name="web"');
  expect(suggest).toHaveBeenLastCalledWith(expect.objectContaining({ kind: "value", label: "service_name" }));
});

it("runs on Enter when no suggestion is open, and Escape closes the list", async () => {
  const onRun = vi.fn();
  render(<Editor onRun={onRun} suggest={async () => ["a_label"]} />);
  const area = type("{");
  await screen.findByTestId("suggestions");
  fireEvent.keyDown(area, { key: "Escape" });
  expect(screen.queryByTestId("suggestions")).toBeNull();
  fireEvent.keyDown(area, { key: "Enter", shiftKey: true });
  expect(onRun).not.toHaveBeenCalled();
  fireEvent.keyDown(area, { key: "Enter" });
  expect(onRun).toHaveBeenCalledTimes(1);
});

it("loads each list once, and again after a failure", async () => {
  const load = vi.fn().mockRejectedValueOnce(new Error("down")).mockResolvedValue(["x"]);
  const get = cached(load);
  await expect(get("/labels")).rejects.toThrow("down");
  await expect(get("/labels")).resolves.toEqual(["x"]);
  await get("/labels");
  expect(load).toHaveBeenCalledTimes(2);
});
