import { Link } from "react-router";

export function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>There is no page at this address. <Link to="/scenarios">Go to your scenarios</Link>.</p>
    </section>
  );
}
