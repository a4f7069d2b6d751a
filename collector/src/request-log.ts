import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

// Fastify logs every request at info by default. At 1,000 agents pushing every 10 s that is 200
// lines a second of "incoming request" and "request completed", so both go to debug; refused
// and failed requests are still logged, by the error handler (http-errors.ts).
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.routeOptions.url }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = {
      method: request.method,
      url: request.routeOptions.url,
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.debug(fields, 'request completed');
  }
}
