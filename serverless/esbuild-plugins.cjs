// esbuild plugins of serverless-esbuild (custom.esbuild.plugins in serverless.yml); the
// benchmarks build with the same list.
const { readFile } = require('node:fs/promises');

/**
 * valibot (1.5.0) keeps its format patterns in module-level regular expression literals. esbuild
 * drops the ones no schema uses, except where targeting Node makes it rewrite a literal into
 * `new RegExp(...)` (Unicode property escapes: `EMOJI_REGEX`, for `v.emoji()`), which it must
 * then keep as a possible side effect: every bundle with valibot built that unused RegExp and its
 * Unicode sets at load (0.4–0.6 M instructions, bench/README.md). This writes those literals as
 * `new RegExp(...)` marked pure, so esbuild keeps them only where they are used.
 */
const UNICODE_PROPERTY_LITERAL = /^(const \w+ = )\/(.*\\[pP]\{.*)\/([a-z]*);$/gm;

const valibotPureRegExps = {
  name: 'valibot-pure-regexps',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]valibot[\\/]dist[\\/]index\.mjs$/ },
      async ({ path }) => {
        const source = await readFile(path, 'utf8');
        return {
          contents: source.replace(
            UNICODE_PROPERTY_LITERAL,
            (_, declaration, pattern, flags) =>
              `${declaration}/* @__PURE__ */ new RegExp(${JSON.stringify(pattern)}, ${JSON.stringify(flags)});`,
          ),
          loader: 'js',
        };
      },
    );
  },
};

module.exports = [valibotPureRegExps];
