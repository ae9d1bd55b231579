import { useEffect } from "react";

/** Sets the document title: "{title} · Scenarist". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Scenarist`;
  }, [title]);
}
