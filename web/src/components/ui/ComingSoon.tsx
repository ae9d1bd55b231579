/** A page not built yet: its heading and nothing else (no sample data). */
export function ComingSoon({ title }: { title: string }) {
  return (
    <section className="page">
      <h1>{title}</h1>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
