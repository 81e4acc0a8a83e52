// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiContext } from './api-context.js';
import { ApiClient } from './client.js';
import { useResource } from './use-resource.js';

afterEach(cleanup);

describe('useResource', () => {
  it('loads again when a live change arrives while a load is in flight (that answer may predate it)', async () => {
    const answers: Array<(count: number) => void> = [];
    const impl = (() =>
      new Promise<Response>((resolve) => {
        answers.push((count) => resolve(new Response(JSON.stringify({ count }), { status: 200 })));
      })) as typeof fetch;
    const api = new ApiClient(impl, null);
    const wrapper = ({ children }: { children: ReactNode }) => <ApiContext value={api}>{children}</ApiContext>;
    const { result } = renderHook(() => useResource<{ count: number }>('/api/things'), { wrapper });

    await waitFor(() => expect(answers).toHaveLength(1));
    // A live event: one more thing. The in-flight answer was computed before it.
    act(() => result.current.mutate((current) => ({ count: (current?.count ?? 0) + 1 })));
    await act(async () => answers[0]!(0));
    await waitFor(() => expect(answers).toHaveLength(2));
    await act(async () => answers[1]!(1));
    await waitFor(() => expect(result.current.data).toEqual({ count: 1 }));
  });

  it('never shows one path’s data under another path', async () => {
    const impl = (async (input: RequestInfo | URL) =>
      new Response(JSON.stringify({ path: String(input) }), { status: 200 })) as typeof fetch;
    const api = new ApiClient(impl, null);
    const wrapper = ({ children }: { children: ReactNode }) => <ApiContext value={api}>{children}</ApiContext>;
    const { result, rerender } = renderHook(({ path }) => useResource<{ path: string }>(path), {
      wrapper,
      initialProps: { path: '/api/a' },
    });
    await waitFor(() => expect(result.current.data).toEqual({ path: '/api/a' }));
    rerender({ path: '/api/b' });
    expect(result.current.data).toBeUndefined();
    await waitFor(() => expect(result.current.data).toEqual({ path: '/api/b' }));
  });
});
