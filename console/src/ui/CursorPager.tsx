// Cursor pagination (lists answer {items, nextCursor}): a stack of the cursors
// of the pages seen, so "Previous" goes back without offsets.
import { useEffect, useState } from 'react';
import { Button, Group } from '@mantine/core';

export function useCursorPages(resetKey: string) {
  const [stack, setStack] = useState<string[]>([]);
  useEffect(() => setStack([]), [resetKey]);
  return {
    cursor: stack.at(-1),
    page: stack.length + 1,
    next: (cursor: string) => setStack((s) => [...s, cursor]),
    previous: () => setStack((s) => s.slice(0, -1)),
  };
}

export function CursorPager({ pages, nextCursor }: { pages: ReturnType<typeof useCursorPages>; nextCursor: string | null }) {
  if (pages.page === 1 && !nextCursor) return null;
  return (
    <Group mt="md" aria-label="Pagination" role="navigation">
      <Button variant="default" disabled={pages.page === 1} onClick={pages.previous}>
        Previous page
      </Button>
      <span>Page {pages.page}</span>
      <Button variant="default" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
        Next page
      </Button>
    </Group>
  );
}
