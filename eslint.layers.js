// The layers of ../shared/STYLE.md, enforced: each zone forbids `target` to import from `from`.
// Paths resolve through TypeScript (a `.js` specifier finds its `.ts` file), so a relative import
// cannot slip past; an import that does not resolve at all fails `import-x/no-unresolved`.
const others = (...dirs) => dirs.map((d) => `./src/${d}`);
export const layerZones = [
  {
    target: './src/crypto',
    from: './src',
    except: ['./crypto'],
    message: 'crypto/ imports nothing else from the project',
  },
  {
    target: [
      ...others('store', 'services', 'http', 'cli', 'app', 'providers', 'sandbox', 'web'),
      './src/*.ts',
    ],
    from: './src/crypto',
    except: ['./index.ts', './errors.ts'],
    message: 'outside crypto/, the encryption core is imported through crypto/index.ts',
  },
  {
    target: './src/providers',
    from: others('store', 'services', 'http', 'cli', 'app', 'sandbox', 'web'),
    message: 'providers/ never import store/, services/, http/ or the sandbox',
  },
  {
    target: './src/store',
    from: others('services', 'http', 'cli', 'app', 'providers', 'sandbox', 'web'),
    message: 'store/ never imports services/, http/ or providers/',
  },
  {
    target: './src/sandbox',
    from: others('store', 'services', 'http', 'cli', 'app', 'web'),
    message: 'sandbox/ never imports store/, services/ or http/',
  },
  {
    target: './src/services',
    from: others('http', 'cli', 'app', 'web'),
    message: 'services/ never import a surface (http/, cli/) or the composition root',
  },
  {
    target: ['./src/http', './src/cli'],
    from: './src/store',
    message: 'http/ and cli/ call services, never store/ directly',
  },
  {
    target: ['./src/http', './src/cli'],
    from: './src/services/*/!(index).ts',
    message: "http/ and cli/ import a service through its domain's index.ts",
  },
  {
    target: ['./src/http', './src/cli'],
    from: './src/services/*/*/**',
    message: "http/ and cli/ import a service through its domain's index.ts",
  },
  {
    target: './src/web',
    from: others('crypto', 'store', 'providers', 'sandbox', 'services', 'http', 'cli', 'app'),
    message: 'the console talks to the API over HTTP and imports nothing from the server',
  },
];
