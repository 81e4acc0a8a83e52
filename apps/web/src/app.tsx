export function App() {
  return (
    <main>
      <h1>FluxStudio</h1>
      <p>Real-time collaboration for creative studios.</p>
    </main>
  );
}
