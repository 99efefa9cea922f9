// ONNX Runtime (npm onnxruntime-node, CPU) as a reference peer for tinyq.
//
//   node run.js MODEL.onnx --input NAME=FILE.npy ... --out DIR [--threads N] [--time RUNS]
//               [--batch B]
//
// Runs the model once on the given .npy inputs and writes every output as DIR/<name>.npy
// (float32/int64/int8/uint8). With --time RUNS it also runs RUNS more times after 20 warm-up runs
// and prints a JSON line {"median_ms", "min_ms", "median_cpu_ms", "runs"} on stdout (CPU time is
// the process's user+system time per run: robust to other load on a shared machine).
// With --batch B the inputs hold a data set along dim 0: it is run in slices of B rows (the last
// one may be shorter), the outputs are concatenated, and a JSON line {"total_ms", "total_cpu_ms",
// "samples", "batch"} gives the time of that pass, measured after one warm-up run of the first
// slice (B must be a batch size the model accepts). Exit 2 on usage errors.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const DTYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array],
  '|i1': ['int8', Int8Array], '|u1': ['uint8', Uint8Array], '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim())
      .filter(s => s.length).map(Number);
  const dt = DTYPES[descr];
  if (!dt) throw new Error(`${file}: unsupported dtype ${descr}`);
  const data = buf.subarray(hstart + hlen);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  const arr = new dt[1](copy.buffer, 0, data.length / dt[1].BYTES_PER_ELEMENT);
  return new ort.Tensor(dt[0], dt[0] === 'bool' ? Array.from(arr, v => v !== 0) : arr, shape);
}

function writeNpy(file, tensor) {
  const rev = {float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', int8: '|i1',
               uint8: '|u1', bool: '|b1'};
  const descr = rev[tensor.type];
  if (!descr) throw new Error(`output type ${tensor.type} not supported`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  let data = tensor.data;
  if (tensor.type === 'bool') data = Uint8Array.from(data, v => (v ? 1 : 0));
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

// Rows [begin, end) of tensor t along dim 0, sharing its buffer.
function sliceRows(t, begin, end) {
  const row = t.dims.slice(1).reduce((a, b) => a * b, 1);
  return new ort.Tensor(t.type, t.data.subarray(begin * row, end * row), [end - begin, ...t.dims.slice(1)]);
}

// Concatenates tensors of one output along dim 0.
function concatRows(parts) {
  const total = parts.reduce((n, t) => n + t.data.length, 0);
  const data = new parts[0].data.constructor(total);
  let at = 0;
  for (const t of parts) { data.set(t.data, at); at += t.data.length; }
  const rows = parts.reduce((n, t) => n + t.dims[0], 0);
  return new ort.Tensor(parts[0].type, data, [rows, ...parts[0].dims.slice(1)]);
}

async function runDataset(session, feeds, batch, out) {
  const names = Object.keys(feeds);
  const samples = feeds[names[0]].dims[0];
  const slice = (b, e) => Object.fromEntries(names.map(n => [n, sliceRows(feeds[n], b, e)]));
  await session.run(slice(0, Math.min(batch, samples)));  // warm-up
  const parts = {};
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < samples; b += batch) {
    const r = await session.run(slice(b, Math.min(samples, b + batch)));
    for (const [name, t] of Object.entries(r)) (parts[name] = parts[name] || []).push(t);
  }
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  if (out) {
    fs.mkdirSync(out, {recursive: true});
    for (const [name, p] of Object.entries(parts))
      writeNpy(path.join(out, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.npy'), concatRows(p));
  }
  console.log(JSON.stringify({total_ms: totalMs, total_cpu_ms: (c.user + c.system) / 1e3,
                              samples, batch,
                              ort_version: require('onnxruntime-node/package.json').version}));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 1 || args.includes('--help')) {
    console.error('usage: node run.js MODEL.onnx --input NAME=FILE.npy ... --out DIR ' +
                  '[--threads N] [--time RUNS] [--batch B]');
    process.exit(2);
  }
  const model = args[0];
  const feeds = {};
  let out = null, threads = 1, timeRuns = 0, batch = 0;
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--input') {
      const [name, file] = args[++i].split('=');
      feeds[name] = readNpy(file);
    } else if (args[i] === '--out') out = args[++i];
    else if (args[i] === '--threads') threads = Number(args[++i]);
    else if (args[i] === '--time') timeRuns = Number(args[++i]);
    else if (args[i] === '--batch') batch = Number(args[++i]);
    else { console.error(`unknown argument ${args[i]}`); process.exit(2); }
  }
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
    graphOptimizationLevel: 'all'});
  if (batch > 0) {
    await runDataset(session, feeds, batch, out);
    return;
  }
  const results = await session.run(feeds);
  if (out) {
    fs.mkdirSync(out, {recursive: true});
    for (const [name, t] of Object.entries(results))
      writeNpy(path.join(out, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.npy'), t);
  }
  if (timeRuns > 0) {
    for (let i = 0; i < 20; i++) await session.run(feeds);
    const times = [], cpu = [];
    for (let i = 0; i < timeRuns; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e3);
    }
    const median = a => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(JSON.stringify({median_ms: median(times), min_ms: Math.min(...times),
                                median_cpu_ms: median(cpu), runs: timeRuns,
                                ort_version: require('onnxruntime-node/package.json').version}));
  }
}

main().catch(e => { console.error(`onnxruntime: ${e.message}`); process.exit(1); });
