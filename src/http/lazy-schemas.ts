// Route schemas compiled when a route first needs them, not at start-up. Fastify compiles every route's
// validator (Ajv) and response serializer (fast-json-stringify) while the application gets ready: about a
// hundred routes cost a fifth of a second of CPU and megabytes of generated code, most of it for routes a
// given instance rarely or never serves. These builders hand Fastify functions that compile on their first
// call with Fastify's own default compilers and options, so what is checked, and how, stays the same.
import type AjvCompiler from "@fastify/ajv-compiler";
import type SerializerSelector from "@fastify/fast-json-stringify-compiler";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { lazyRequire } from "../lib/lazy-require.ts";

type SchemaControllerOptions = NonNullable<FastifyServerOptions["schemaController"]>;
type CompilersFactory = NonNullable<SchemaControllerOptions["compilersFactory"]>;
type ValidatorBuilder = NonNullable<CompilersFactory["buildValidator"]>;
type SerializerBuilder = NonNullable<CompilersFactory["buildSerializer"]>;

interface ValidateFunction {
  (...args: unknown[]): unknown;
  errors?: unknown;
}

export interface LazySchemaCompilers {
  compilersFactory: { buildValidator: ValidatorBuilder; buildSerializer: SerializerBuilder };
  /** Compiles every schema not compiled yet (tests call it to find a broken schema without a request). */
  compileAll(): void;
}

// Ajv and fast-json-stringify themselves load with the first route that validates or serializes.
const loadAjvCompiler = lazyRequire<typeof AjvCompiler>("@fastify/ajv-compiler");
const loadSerializerSelector = lazyRequire<typeof SerializerSelector>("@fastify/fast-json-stringify-compiler");

/** Builders for Fastify's `schemaController.compilersFactory`; one set per application. */
export function lazySchemaCompilers(): LazySchemaCompilers {
  let defaultValidatorBuilder: ValidatorBuilder | undefined;
  let defaultSerializerBuilder: SerializerBuilder | undefined;
  const validatorBuilder = (): ValidatorBuilder => {
    defaultValidatorBuilder ??= loadAjvCompiler()() as unknown as ValidatorBuilder;
    return defaultValidatorBuilder;
  };
  const serializerBuilder = (): SerializerBuilder => {
    defaultSerializerBuilder ??= (loadSerializerSelector() as unknown as () => SerializerBuilder)();
    return defaultSerializerBuilder;
  };
  const pending = new Set<() => void>();

  const buildValidator: ValidatorBuilder = (externalSchemas, ajvOptions) => {
    let compiler: ReturnType<ValidatorBuilder> | undefined;
    return (routeSchema) => {
      let validate: ValidateFunction | undefined;
      const compile = (): ValidateFunction => {
        if (!validate) {
          compiler ??= validatorBuilder()(externalSchemas, ajvOptions);
          validate = compiler(routeSchema) as unknown as ValidateFunction;
          pending.delete(compile);
        }
        return validate;
      };
      pending.add(compile);
      // Fastify reads `.errors` from the function it was given after a failed validation.
      const lazyValidate: ValidateFunction = (...args) => {
        const real = compile();
        const result = real(...args);
        lazyValidate.errors = real.errors;
        return result;
      };
      return lazyValidate as unknown as ReturnType<ReturnType<ValidatorBuilder>>;
    };
  };

  const buildSerializer: SerializerBuilder = (externalSchemas, serializerOptions) => {
    let compiler: ReturnType<SerializerBuilder> | undefined;
    return (routeSchema) => {
      let serialize: ((data: unknown) => string) | undefined;
      const compile = (): ((data: unknown) => string) => {
        if (!serialize) {
          compiler ??= serializerBuilder()(externalSchemas, serializerOptions);
          serialize = compiler(routeSchema) as (data: unknown) => string;
          pending.delete(compile);
        }
        return serialize;
      };
      pending.add(compile);
      return (data: unknown) => compile()(data);
    };
  };

  return {
    compilersFactory: { buildValidator, buildSerializer },
    compileAll() {
      for (const compile of [...pending]) compile();
    },
  };
}

const compilersOfApp = new WeakMap<object, LazySchemaCompilers>();

export function rememberSchemaCompilers(app: FastifyInstance, compilers: LazySchemaCompilers): void {
  compilersOfApp.set(app, compilers);
}

/** Compiles every route schema of an application built by buildApp() (after `app.ready()`). */
export function compileAllRouteSchemas(app: FastifyInstance): void {
  const compilers = compilersOfApp.get(app);
  if (!compilers) throw new Error("this application was not built with lazy schema compilers");
  compilers.compileAll();
}
