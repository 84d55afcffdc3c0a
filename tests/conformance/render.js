// Renders conformance cases with handlebars.js (the reference Pinpoint used).
// stdin: JSON list of {template, context, partials?, data?}; stdout: JSON list of
// {ok: true, out} or {ok: false, error}. A case with "escape" instead of "template"
// returns Handlebars.Utils.escapeExpression(escape).
'use strict';
const path = require('path');
// {{log}} writes to the console: keep stdout for the JSON answer.
for (const m of ['log', 'info', 'debug', 'warn', 'error']) {
  console[m] = (...args) => process.stderr.write(args.join(' ') + '\n');
}
const Handlebars = require(path.join(__dirname, '..', '..', 'node_modules', 'handlebars'));

function makeEnv() {
  const hb = Handlebars.create();
  // Test-only helpers, mirrored in tests/conformance/hb_helpers.py.
  hb.registerHelper('raw', (options) => options.fn());
  hb.registerHelper('upper', (value) => String(value == null ? '' : value).toUpperCase());
  hb.registerHelper('concat', (...args) => args.slice(0, -1).map((a) => (a == null ? '' : String(a))).join(''));
  hb.registerHelper('kv', (options) =>
    Object.keys(options.hash).sort().map((k) => k + '=' + String(options.hash[k])).join(';'));
  hb.registerHelper('loud', function (options) { return options.fn(this).toUpperCase(); });
  hb.registerHelper('pair', function (options) { return options.fn(this, { blockParams: ['left', 'right'] }); });
  hb.registerHelper('bold', (text) => new hb.SafeString('<b>' + hb.escapeExpression(text) + '</b>'));
  hb.registerHelper('eq', (a, b) => a === b);
  hb.registerHelper('count', (value) => (Array.isArray(value) ? value.length : 0));
  hb.registerHelper('whichPartial', (name) => name);
  hb.registerHelper('add', (a, b) => a + b);
  return hb;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const cases = JSON.parse(input);
  const results = cases.map((c) => {
    try {
      if (Object.prototype.hasOwnProperty.call(c, 'escape')) {
        return { ok: true, out: Handlebars.Utils.escapeExpression(c.escape) };
      }
      const hb = makeEnv();
      const template = hb.compile(c.template);
      const out = template(c.context, { partials: c.partials || {}, data: c.data });
      return { ok: true, out };
    } catch (err) {
      return { ok: false, error: String(err && err.message ? err.message : err) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
