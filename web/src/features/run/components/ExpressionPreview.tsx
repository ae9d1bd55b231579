import { highlightExpression } from "../highlight";

/** A field's text with its expressions highlighted (classes `expr-{kind}`, no inline style). */
export function ExpressionPreview({ text, steps, label }: { text: string; steps?: ReadonlySet<string>; label?: string }) {
  return (
    <code className="expression" aria-label={label}>
      {highlightExpression(text, steps).map((token, i) => (
        <span key={i} className={`expr-${token.kind}`}>{token.text}</span>
      ))}
    </code>
  );
}
