// Shows an API or render error in the words it came with.
import { Component, type ReactNode } from "react";

export function ErrorBanner({ title = "Error", message }: { title?: string; message: string }) {
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <strong>{title}:</strong> <span className="error-text">{message}</span>
    </div>
  );
}

interface BoundaryState {
  error: Error | null;
}

/** Keeps a failing page from blanking the whole app; resets when `resetKey` changes. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, BoundaryState> {
  state: BoundaryState = { error: null };

  static getDerivedStateFromError(error: Error): BoundaryState {
    return { error };
  }

  componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render() {
    if (this.state.error) return <ErrorBanner title="This view failed" message={this.state.error.message} />;
    return this.props.children;
  }
}
