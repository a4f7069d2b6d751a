import { Type } from '@sinclair/typebox';

// FIXME: placeholder until the notifiers land: the union of every notifier's config schema.
export const notifierConfigSchema = Type.Union([
  Type.Object({ name: Type.String({ minLength: 1 }), type: Type.Literal('slack') }),
]);
