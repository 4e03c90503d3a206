// Baseline: express.static (the `send` module) over the fixture folder, with its defaults.
import express from 'express';

const [root, port] = [process.env.FILES_ROOT, Number(process.env.PORT)];
const app = express();
app.disable('x-powered-by');
app.get('/.bench-floor', (_req, res) => res.type('text/plain').send('framework floor ok\n'));
app.use(express.static(root));
app.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
