// The benchmark's entry point for our service: the production build, started exactly as
// `node dist/main.js` starts it (same bootstrap, settings, middleware, filters, cluster mode), with
// one difference: the root module is BenchRootModule, which imports the app module and adds the
// framework-floor route `GET /.bench-floor` (a constant 19-byte body). Nothing of this is in src/,
// dist/ or the Docker image; only bench/bench.mjs starts it. Why plain JavaScript, and why the
// floor exists at all: bench/README.md ("The framework floor").
import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { AppModule } from '../../dist/app.module.js';

/** The body the framework-floor route answers: a constant 19 bytes. */
export const FLOOR_BODY = 'framework floor ok\n';

/** The cheapest request this very app can answer, through the same middleware and filter as a file. */
class FloorController {
  floor() {
    return FLOOR_BODY;
  }
}

// The decorators, applied as TypeScript's legacy-decorator output applies them. The controller
// takes no constructor parameters, so it needs no `design:paramtypes` metadata.
const floor = Object.getOwnPropertyDescriptor(FloorController.prototype, 'floor');
Header('Content-Type', 'text/plain; charset=utf-8')(FloorController.prototype, 'floor', floor);
Get('.bench-floor')(FloorController.prototype, 'floor', floor);
Controller()(FloorController);

class BenchRootModule {}
Module({})(BenchRootModule);

// dist/main.js builds its root module with AppModule.load() (forRoot() goes through it too);
// wrapping that one call makes it bootstrap BenchRootModule instead. The root module's controllers
// are registered before those of the modules it imports, so the floor route comes before the
// files' catch-all route (it would be a dot-name there, never served, so it can never shadow a
// file either).
const load = AppModule.load.bind(AppModule);
AppModule.load = async (overrides) => {
  const { module, env } = await load(overrides);
  return { module: { module: BenchRootModule, imports: [module], controllers: [FloorController] }, env };
};

await import('../../dist/main.js');
