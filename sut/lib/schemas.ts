/** JSON schemas shared by the services' routes (fastify validates requests against them). */
export const uuidParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const intIdParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } },
} as const;

export const DEPARTMENTS = ['customer-service', 'legal', 'sales', 'billing'] as const;

export const email = { type: 'string', format: 'email', maxLength: 254 } as const;
/** French phone numbers: 0X XX XX XX XX or +33 X XX XX XX XX, spaces optional. */
export const phone = { type: 'string', pattern: '^(0|\\+33 ?)[1-9]( ?[0-9]{2}){4}$' } as const;
export const name = { type: 'string', minLength: 1, maxLength: 100 } as const;
export const availability = { type: 'string', minLength: 1, maxLength: 200 } as const;
