import { Alert } from '@mantine/core';
import { sentenceFor } from '../api/problem';

/** A refusal as a sentence, announced to screen readers (role="alert"). */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title={title} variant="light">
      {sentenceFor(error)}
    </Alert>
  );
}
