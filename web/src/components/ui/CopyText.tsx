import { useState } from "react";

/** A value (a URL, a token) with button "Copy" and a `role=status` line saying whether it was copied. */
export function CopyText({ text, what = "the URL" }: { text: string; what?: string }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const copy = () => {
    navigator.clipboard.writeText(text).then(() => setCopied("yes"), () => setCopied("failed"));
  };
  return (
    <>
      <p className="token-line">
        <code className="token-value run-url">{text}</code>
        <button type="button" className="button small" onClick={copy}>Copy</button>
      </p>
      <p role="status" className="muted">
        {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? `Copying failed: select ${what} and copy it.` : ""}
      </p>
    </>
  );
}
