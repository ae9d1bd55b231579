import { describe, expect, it } from "vitest";
import { highlightExpression, type Token } from "./highlight";

const t = (kind: Token["kind"], text: string): Token => ({ kind, text });

describe("highlightExpression", () => {
  it("leaves text without expressions as text", () => {
    expect(highlightExpression("Hello world")).toEqual([t("text", "Hello world")]);
  });

  it("splits a step reference with its path between delimiters", () => {
    expect(highlightExpression("Hi {{ hook.body.items[0].name }}!")).toEqual([
      t("text", "Hi "), t("delimiter", "{{"), t("code", " "), t("step", "hook.body.items[0].name"),
      t("code", " "), t("delimiter", "}}"), t("text", "!"),
    ]);
  });

  it("marks functions, strings and numbers", () => {
    expect(highlightExpression('{{ formatDate(now, "YYYY") + 1.5 }}')).toEqual([
      t("delimiter", "{{"), t("code", " "), t("function", "formatDate"), t("code", "("), t("step", "now"),
      t("code", ", "), t("string", '"YYYY"'), t("code", ") + "), t("number", "1.5"), t("code", " "),
      t("delimiter", "}}"),
    ]);
  });

  it("marks a filter after a pipe as a function and keywords as keywords", () => {
    const tokens = highlightExpression("{{ 'a' if hook.body.ok else shape.name | upper }}");
    expect(tokens.filter((x) => x.kind === "function")).toEqual([t("function", "upper")]);
    expect(tokens.filter((x) => x.kind === "keyword")).toEqual([t("keyword", "if"), t("keyword", "else")]);
    expect(tokens.filter((x) => x.kind === "step").map((x) => x.text)).toEqual(["hook.body.ok", "shape.name"]);
    expect(tokens.find((x) => x.kind === "string")).toEqual(t("string", "'a'"));
  });

  it("limits step references to the known steps when given", () => {
    const tokens = highlightExpression("{{ hook.body + gone.x }}", new Set(["hook"]));
    expect(tokens.filter((x) => x.kind === "step").map((x) => x.text)).toEqual(["hook.body"]);
  });

  it("runs an unclosed expression to the end and keeps an unclosed string", () => {
    expect(highlightExpression("a {{ 'open")).toEqual([
      t("text", "a "), t("delimiter", "{{"), t("code", " "), t("string", "'open"),
    ]);
  });

  it("joins back to the original text", () => {
    const source = "x {{ a.b[2] | join(', ') }} y {{ 3 }}";
    expect(highlightExpression(source).map((x) => x.text).join("")).toBe(source);
  });
});
