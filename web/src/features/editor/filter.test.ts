import { describe, expect, it } from "vitest";
import {
  expressionToRows, fromModel, OPERATOR_GROUPS, OPERATORS, rowsToExpression, summary, toModel, validate,
  type Row,
} from "./filter";

const ENGINE_OPERATORS = [
  "exist", "notexist",
  "text:equal", "text:equal:ci", "text:contains", "text:contains:ci", "text:startswith", "text:startswith:ci",
  "text:endswith", "text:endswith:ci", "text:notequal", "text:notequal:ci", "text:notcontains", "text:notcontains:ci",
  "text:pattern", "text:pattern:ci", "text:notpattern",
  "number:equal", "number:notequal", "number:greater", "number:greaterorequal", "number:less", "number:lessorequal",
  "datetime:equal", "datetime:notequal", "datetime:after", "datetime:afterorequal", "datetime:before", "datetime:beforeorequal",
  "time:equal", "time:notequal", "time:after", "time:afterorequal", "time:before", "time:beforeorequal",
  "array:contains", "array:contains:ci", "array:notcontains", "array:equal", "array:notequal", "array:greater",
  "array:greaterorequal", "array:less", "array:lessorequal",
  "boolean:equal", "boolean:notequal",
];

const row = (a: string, o: string, b = ""): Row => ({ a, o, b });

describe("operators", () => {
  it("are exactly the engine's (conditions.py), each once", () => {
    expect([...OPERATORS].sort()).toEqual([...ENGINE_OPERATORS].sort());
    expect(new Set(OPERATORS).size).toBe(OPERATORS.length);
  });

  it("are grouped by type with a label each", () => {
    expect(OPERATOR_GROUPS.map((g) => g.type)).toEqual(["Basic", "Text", "Number", "Date", "Time", "Array", "Boolean"]);
    for (const group of OPERATOR_GROUPS) for (const o of group.operators) expect(o.label).not.toBe("");
  });
});

describe("toModel and fromModel", () => {
  it("round-trips Make's structured form, numbers staying numbers", () => {
    const filter = {
      label: "big ones",
      conditions: [
        [{ a: "{{ orders.value.amount }}", o: "number:greater", b: 100 }, { a: "{{ x }}", o: "text:notequal:ci", b: "cancelled" }],
        [{ a: "{{ orders.value.note }}", o: "exist" }],
      ],
    };
    const model = toModel(filter);
    expect(model.mode).toBe("rows");
    expect(model.groups[0]?.[0]).toEqual({ a: "{{ orders.value.amount }}", o: "number:greater", b: "100" });
    expect(fromModel(model)).toEqual(filter);
  });

  it("keeps a raw expression as the condition", () => {
    const model = toModel({ condition: "{{ hook.body.amount > 10 }}" });
    expect(model.mode).toBe("raw");
    expect(fromModel(model)).toEqual({ condition: "{{ hook.body.amount > 10 }}" });
  });

  it("gives no filter for an empty raw expression and an empty label", () => {
    expect(fromModel({ label: " ", mode: "raw", groups: [], raw: "" })).toBeNull();
  });

  it("starts an absent filter with one empty row", () => {
    expect(toModel(undefined).groups).toEqual([[{ a: "", o: "text:equal", b: "" }]]);
  });

  it("keeps text that only looks like a number in another way as text", () => {
    const stored = fromModel({ label: "", mode: "rows", groups: [[row("{{ a }}", "text:equal", "007")]], raw: "" });
    expect(stored?.conditions?.[0]?.[0]?.b).toBe("007");
  });
});

describe("validate", () => {
  it("names an empty operand and an unknown operator by path", () => {
    const problems = validate({ label: "", mode: "rows", raw: "", groups: [[row("{{ a }}", "number:greater", "")], [row("", "text:bogus", "x")]] });
    expect(problems.map((p) => p.path)).toEqual(["conditions[0][0].b", "conditions[1][0].o", "conditions[1][0].a"]);
    expect(problems[1]?.message).toContain("Condition 2: unknown operator");
  });

  it("needs no second operand for exist", () => {
    expect(validate({ label: "", mode: "rows", raw: "", groups: [[row("{{ a }}", "exist")]] })).toEqual([]);
  });

  it("needs a raw expression in raw mode", () => {
    expect(validate({ label: "", mode: "raw", raw: " ", groups: [] })[0]?.path).toBe("condition");
  });
});

describe("summary", () => {
  it("is the label when there is one", () => {
    expect(summary({ label: "only big ones", condition: "{{ x }}" })).toBe("only big ones");
  });

  it("reads a row with the operand's last name", () => {
    expect(summary({ conditions: [[{ a: "{{ hook.body.amount }}", o: "number:greater", b: 10 }]] })).toBe("amount > 10");
  });

  it("joins rows with and, groups with or", () => {
    const text = summary({ conditions: [
      [{ a: "{{ o.amount }}", o: "number:greater", b: 100 }, { a: "{{ o.status }}", o: "text:notequal:ci", b: "cancelled" }],
      [{ a: "{{ o.note }}", o: "exist" }],
    ] }, 200);
    expect(text).toBe("(amount > 100 and status ≠ (any case) cancelled) or note exists");
  });

  it("shows a raw expression's inside, cut to the length given", () => {
    expect(summary({ condition: "{{ hook.body.amount > 10 }}" })).toBe("hook.body.amount > 10");
    expect(summary({ condition: "{{ a > 10 }}" }, 5)).toBe("a >…");
  });
});

describe("rowsToExpression", () => {
  it("writes rows as one expression", () => {
    const result = rowsToExpression([[row("{{ hook.body.amount }}", "number:greater", "10")]]);
    expect(result).toEqual({ ok: true, value: "{{ hook.body.amount > 10 }}" });
  });

  it("writes groups with or and parentheses around and", () => {
    const result = rowsToExpression([
      [row("{{ a }}", "number:greater", "1"), row("{{ s }}", "text:equal:ci", "Open")],
      [row("{{ n }}", "exist")],
    ]);
    expect(result).toEqual({ ok: true, value: '{{ (a > 1 and s | lower == "Open" | lower) or n is not none }}' });
  });

  it("writes arrays, contains and booleans", () => {
    expect(rowsToExpression([[row("{{ tags }}", "array:contains", "vip")]])).toEqual({ ok: true, value: '{{ "vip" in tags | list }}' });
    expect(rowsToExpression([[row("{{ tags }}", "array:greater", "2")]])).toEqual({ ok: true, value: "{{ tags | length > 2 }}" });
    expect(rowsToExpression([[row("{{ name }}", "text:contains", "da")]])).toEqual({ ok: true, value: '{{ "da" in name }}' });
    expect(rowsToExpression([[row("{{ ok }}", "boolean:equal", "true")]])).toEqual({ ok: true, value: "{{ ok == true }}" });
  });

  it("joins a template operand's parts", () => {
    expect(rowsToExpression([[row("{{ a }}-{{ b }}", "text:equal", "x-y")]]))
      .toEqual({ ok: true, value: '{{ ("" ~ (a) ~ "-" ~ (b)) == "x-y" }}'.replace('"" ~ ', "") });
  });

  it("refuses an operator without an expression form, naming the row", () => {
    const result = rowsToExpression([[row("{{ a }}", "exist")], [row("{{ d }}", "datetime:before", "2024-01-01")]]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain("Condition 2 (datetime:before");
  });

  it("refuses an empty operand", () => {
    expect(rowsToExpression([[row("", "number:greater", "1")]]).ok).toBe(false);
  });
});

describe("expressionToRows", () => {
  it("reads what rowsToExpression wrote back as the same rows", () => {
    const groups = [
      [row("{{ hook.body.amount }}", "number:greater", "10"), row("{{ s }}", "text:equal:ci", "Open")],
      [row("{{ n }}", "exist")],
      [row("{{ tags }}", "array:contains", "vip"), row("{{ tags }}", "array:lessorequal", "3")],
      [row("{{ name }}", "text:notcontains", "x"), row("{{ ok }}", "boolean:notequal", "false"), row("{{ m }}", "notexist")],
    ];
    const written = rowsToExpression(groups);
    expect(written.ok).toBe(true);
    const read = expressionToRows(written.ok ? written.value : "");
    expect(read).toEqual({ ok: true, value: groups });
  });

  it("reads a hand-written comparison", () => {
    expect(expressionToRows("{{ hook.body.amount > 10 }}")).toEqual({ ok: true, value: [[row("{{ hook.body.amount }}", "number:greater", "10")]] });
    expect(expressionToRows("{{ hook.body.status == 'open' }}")).toEqual({ ok: true, value: [[row("{{ hook.body.status }}", "text:equal", "open")]] });
    expect(expressionToRows("{{ a | upper == b }}")).toEqual({ ok: true, value: [[row("{{ a | upper }}", "text:equal", "{{ b }}")]] });
    expect(expressionToRows("{{ (a + 1) >= b }}")).toEqual({ ok: true, value: [[row("{{ a + 1 }}", "number:greaterorequal", "{{ b }}")]] });
  });

  it("refuses what it cannot read back, saying why", () => {
    for (const raw of ["{{ a }}", "{{ a > 1 > 2 }}", "hook.body.amount > 10", "{{ a }} and {{ b }}", "{{ (a > 1 }}", "{{ a | lower == b }}"]) {
      const result = expressionToRows(raw);
      expect(result.ok, raw).toBe(false);
      expect(!result.ok && result.message, raw).toMatch(/keep the raw expression|rewrite it/);
    }
  });

  it("gives one empty row for an empty expression", () => {
    expect(expressionToRows("")).toEqual({ ok: true, value: [[{ a: "", o: "text:equal", b: "" }]] });
  });
});
