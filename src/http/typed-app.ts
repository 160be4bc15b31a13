// The Fastify instance type that route files register on: the TypeBox type provider reads each route's
// schema, so `request.body`, `request.query` and `request.params` have the schema's types without casts.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";

/** A Fastify instance whose routes take their request types from their TypeBox schemas. */
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;
