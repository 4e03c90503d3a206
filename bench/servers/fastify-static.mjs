// Baseline: @fastify/static (the `@fastify/send` module) over the fixture folder, with its defaults.
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';

const [root, port] = [process.env.FILES_ROOT, Number(process.env.PORT)];
const app = Fastify({ logger: false });
app.get('/.bench-floor', (_req, reply) => reply.type('text/plain').send('framework floor ok\n'));
await app.register(fastifyStatic, { root });
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening on ${port}\n`);
