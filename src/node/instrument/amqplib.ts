// amqplib publishes no diagnostics channel, so the Channel classes of both of its APIs
// (lib/channel_model.js: promises, lib/callback_model.js: callbacks) are patched when they
// load: `publish` (which `sendToQueue` and the confirm channels' publish go through) opens
// the Producer Exit span and writes the propagation headers into the message; `consume`
// wraps the app's handler so each delivery runs inside its own Consumer Entry span.
import { encodeSw8x, SW8_X } from '../../core/index.js';
import type { Extractable, Span, TracingContext } from '../../core/index.js';
import type { AnyFunction } from '../../core/patch.js';
import { traceStorage } from '../context.js';
import { isSuppressed } from '../suppress.js';
import { peerOf } from './exit.js';
import type { InstrumentContext, PatchInstrumentation } from './types.js';

/** OAP's component ids for RabbitMQ. */
export const RABBITMQ_PRODUCER_COMPONENT = 52;
export const RABBITMQ_CONSUMER_COMPONENT = 53;

const PROPAGATION = ['sw8', 'sw8-correlation', SW8_X] as const;

interface AmqpChannel {
  connection?: { stream?: { remoteAddress?: unknown; remotePort?: unknown } };
}

interface AmqpMessage {
  fields?: { exchange?: unknown; routingKey?: unknown };
  properties?: { headers?: Record<string, unknown> };
}

/** The broker as the socket sees it (sw8 field 8 and the span's peer). */
function brokerOf(channel: AmqpChannel): string {
  const s = channel.connection?.stream;
  return peerOf(s?.remoteAddress, s?.remotePort);
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

function tagMq(span: Span, broker: string, exchange: string, queue: string): void {
  span.tag('mq.broker', broker);
  span.tag('mq.topic', exchange);
  if (queue) span.tag('mq.queue', queue);
}

/**
 * The options given to publish with the propagation headers in a new `headers` object
 * (never the caller's objects, which may be reused for the next message); any sw8 the
 * caller set is replaced or, when this message carries none of its kind, removed.
 */
function withPropagation(span: Span, options: unknown): Record<string, unknown> | undefined {
  const owner = span.owner as (TracingContext & { inject?: unknown }) | undefined;
  if (!owner || typeof owner.inject !== 'function') return undefined;
  const written: Record<string, string> = {};
  owner.inject(span, { inject: (k, v) => void (written[k] = v) });
  if (!written.sw8) return undefined;
  // sw8-x always carries the send time here: the consumer's `transmission.latency`.
  const skip = written[SW8_X]?.startsWith('1') === true;
  written[SW8_X] = encodeSw8x({ skipAnalysis: skip, sendTime: owner.now() });
  const given = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : {};
  const headers: Record<string, unknown> = given.headers !== null && typeof given.headers === 'object' ? { ...(given.headers as object) } : {};
  for (const k of PROPAGATION) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k) delete headers[existing];
    if (written[k] !== undefined) headers[k] = written[k];
  }
  return { ...given, headers };
}

function wrapPublish(original: AnyFunction, ctx: InstrumentContext): AnyFunction {
  return function publish(this: AmqpChannel, exchange: unknown, routingKey: unknown, content: unknown, options: unknown) {
    let span: Span | undefined;
    let args = arguments as unknown as unknown[];
    try {
      const broker = brokerOf(this);
      const ex = text(exchange);
      const key = text(routingKey);
      span = ctx.exit(`RabbitMQ/${ex}/${key}/Producer`, broker, 'MQ', RABBITMQ_PRODUCER_COMPONENT);
      if (span) {
        // The default exchange routes by queue name: the routing key is the queue.
        tagMq(span, broker, ex, ex === '' ? key : '');
        const next = withPropagation(span, options);
        if (next) {
          args = Array.prototype.slice.call(arguments) as unknown[];
          args[3] = next;
        }
      }
    } catch {
      // tracing must never break the publish
    }
    if (!span) return original.apply(this, arguments as unknown as unknown[]);
    try {
      return original.apply(this, args);
    } catch (err) {
      span.error(err);
      throw err;
    } finally {
      span.end();
    }
  };
}

function carrierOf(message: AmqpMessage): Extractable {
  const headers = message.properties?.headers;
  return {
    extract(key) {
      const v = headers?.[key];
      if (typeof v === 'string') return v;
      return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
    },
  };
}

/** The handler, run once per delivery inside a Consumer Entry span that ends when its promise settles. */
function tracedHandler(handler: AnyFunction, channel: AmqpChannel, queue: string, ctx: InstrumentContext): AnyFunction {
  return function consumer(this: unknown, message: AmqpMessage | null) {
    // null: the broker cancelled the consumer; not a message.
    if (message === null || typeof message !== 'object' || isSuppressed()) return handler.apply(this, arguments as unknown as unknown[]);
    let span: Span;
    let context: TracingContext;
    try {
      const exchange = text(message.fields?.exchange);
      const key = text(message.fields?.routingKey);
      const broker = brokerOf(channel);
      context = ctx.tracer.createTracingContext();
      span = context.createEntrySpan(`RabbitMQ/${exchange}/${key}/Consumer`, null, carrierOf(message));
      span.setComponent(RABBITMQ_CONSUMER_COMPONENT).setLayer('MQ');
      span.peer = broker;
      tagMq(span, broker, exchange, queue);
    } catch {
      return handler.apply(this, arguments as unknown as unknown[]);
    }
    let result: unknown;
    try {
      result = traceStorage.run({ context, span }, Reflect.apply, handler, this, arguments) as unknown;
    } catch (err) {
      span.error(err);
      span.end();
      throw err;
    }
    const then = isThenable(result);
    if (!then) {
      span.end();
      return result;
    }
    // The app's promise is returned untouched: a rejection stays unhandled in the app (the
    // chain below rethrows it), exactly as without the agent.
    then.call(
      result,
      () => span.end(),
      (err: unknown) => {
        span.error(err);
        span.end();
        throw err;
      },
    );
    return result;
  };
}

function isThenable(v: unknown): AnyFunction | undefined {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return undefined;
  try {
    const then = (v as { then?: unknown }).then;
    return typeof then === 'function' ? (then as AnyFunction) : undefined;
  } catch {
    return undefined;
  }
}

function wrapConsume(original: AnyFunction, ctx: InstrumentContext): AnyFunction {
  return function consume(this: AmqpChannel, queue: unknown, handler: unknown) {
    if (typeof handler !== 'function') return original.apply(this, arguments as unknown as unknown[]);
    let args: unknown[];
    try {
      args = Array.prototype.slice.call(arguments) as unknown[];
      args[1] = tracedHandler(handler as AnyFunction, this, text(queue), ctx);
    } catch {
      args = arguments as unknown as unknown[];
    }
    return original.apply(this, args);
  };
}

function patchChannel(exports: unknown, ctx: InstrumentContext): void {
  const proto = (exports as { Channel?: { prototype?: object } } | null)?.Channel?.prototype;
  ctx.patches.method(proto, 'publish', (orig) => wrapPublish(orig, ctx));
  ctx.patches.method(proto, 'consume', (orig) => wrapConsume(orig, ctx));
}

const common = { name: 'amqplib', versions: { from: '0.10.0', below: '3.0.0' }, kind: 'patch', patch: patchChannel } as const;

/** amqplib, promise API: `RabbitMQ/{exchange}/{routingKey}/Producer` (MQ, 52) and `…/Consumer` (MQ, 53). */
export const amqplibPromise: PatchInstrumentation = { ...common, module: 'amqplib/lib/channel_model' };

/** amqplib, callback API: the same spans. */
export const amqplibCallback: PatchInstrumentation = { ...common, module: 'amqplib/lib/callback_model' };
