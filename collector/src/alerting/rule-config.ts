import { Type } from '@sinclair/typebox';

// FIXME: placeholder schema until the rule engine lands; it accepts only a name.
export const ruleSchema = Type.Object({ name: Type.String({ minLength: 1 }) });
