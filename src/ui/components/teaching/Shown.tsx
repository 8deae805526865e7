/**
 * Renders its children unless a classroom link hid this section or control (controls.ts ids). Hidden means not
 * rendered at all: nothing to find or tab to; the setting's value still applies.
 */
import type { ReactNode } from 'react';
import { useClassroom } from '../../hooks/useClassroom';

export function Shown({ id, children }: { id: string; children: ReactNode }) {
  const { shown } = useClassroom();
  return shown(id) ? <>{children}</> : null;
}
