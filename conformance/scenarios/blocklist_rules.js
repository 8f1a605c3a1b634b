'use strict';
// net.BlockList as an API: each kind of rule, how rules print (one address
// rule at a time: Node lists its address rules in hash-table order), size,
// check() with and without the family, IPv4-mapped IPv6 addresses against
// IPv4 rules and the reverse, the argument errors, removal, clear, toJSON and
// fromJSON, PRIVATE_RANGES.
const net = require('net');
const { trace, errf } = require('./trace');

const t = (what, fn) => {
  try {
    fn();
    trace('rules', what, { ok: true });
  } catch (e) {
    trace('rules', what, errf(e));
  }
};
const show = (what, b) => trace('rules', what, { rules: b.rules.join(' | '), size: b.size });

const bl = new net.BlockList();
bl.addAddress('127.0.0.2');
bl.addRange('10.0.0.1', '10.0.0.10');
bl.addSubnet('192.168.1.77', 24);
bl.addSubnet('2001:db8:1234::', 48, 'IPv6');
bl.addRange('::1', '::ffff', 'ipv6');
bl.addCIDR('fe80::/10');
bl.addCIDRs(['172.16.0.0/12', '100.64.0.0/10']);
bl.addRange('10.0.0.1', '10.0.0.10');
show('added', bl);
show('json', { rules: JSON.parse(JSON.stringify(bl)), size: 0 });
const checks = [
  ['127.0.0.2'], ['127.0.0.3'], ['::ffff:127.0.0.2', 'ipv6'], ['127.0.0.2', 'ipv6'], ['127.0.0.2', 'IPV4'],
  ['127.0.0.2', 'foo'], ['10.0.0.10'], ['10.0.0.11'], ['::ffff:10.0.0.5', 'ipv6'], ['192.168.1.200'],
  ['192.168.2.1'], ['2001:db8:1234:ffff::1', 'ipv6'], ['2001:db8:1235::1', 'ipv6'], ['::10', 'ipv6'],
  ['0.0.0.5'], ['fe80::1', 'ipv6'], ['172.31.255.255'], ['100.128.0.0'], ['::1'], ['nope'], ['', 'ipv6'],
];
for (const [a, f] of checks) trace('check', a || 'empty', { family: f, blocked: bl.check(a, f) });

t('bad-address', () => bl.addAddress('nope'));
t('v6-default-family', () => bl.addAddress('::1'));
t('bad-family', () => bl.addAddress('1.2.3.4', 'ipv5'));
t('range-reversed', () => bl.addRange('10.0.0.10', '10.0.0.1'));
t('range-mixed', () => bl.addRange('10.0.0.1', '::1'));
t('prefix-33', () => bl.addSubnet('10.0.0.0', 33));
t('prefix-129', () => bl.addSubnet('::', 129, 'ipv6'));
t('prefix-neg', () => bl.addSubnet('10.0.0.0', -1));
t('cidr-no-slash', () => bl.addCIDR('10.0.0.0'));
t('cidr-bad-prefix', () => bl.addCIDR('10.0.0.0/x'));
t('cidr-padded', () => bl.addCIDR('10.0.0.0/08'));
t('cidr-neg', () => bl.addCIDR('10.0.0.0/-1'));
t('cidrs-bad', () => bl.addCIDRs(['1.0.0.0/8', 'bad']));
show('unchanged', bl);

bl.removeAddress('::ffff:127.0.0.2', 'ipv6');
bl.removeRange('10.0.0.1', '10.0.0.10');
bl.removeSubnet('192.168.1.0', 24);
bl.removeCIDR('fe80::/10');
bl.removeAddress('9.9.9.9');
show('removed', bl);
bl.clear();
show('cleared', bl);

const m = new net.BlockList();
m.addAddress('1.2.3.4');
m.addAddress('::ffff:1.2.3.4', 'ipv6');
show('mapped-replaces', m);
trace('check', 'mapped-rule', { blocked: m.check('1.2.3.4') });
const z = new net.BlockList();
z.addSubnet('::', 0, 'ipv6');
z.addSubnet('0.0.0.0', 0);
trace('check', 'zero-prefixes', { v4: z.check('8.8.8.8'), v6: z.check('::1', 'ipv6') });

const f = new net.BlockList();
f.fromJSON(['Subnet: IPv4 192.168.1.0/24', 'Address: IPv4 10.0.0.5', 'Range: IPv4 192.168.2.1-192.168.2.10',
  'Subnet: IPv6 2001:db8:1234::/48', 'subnet: ipv6 fc00::/7 IPv6', 'Range: IPv6 ::1-::5', 'garbage',
  'Subnet: IPv4 10.0.0.0/8 trailing']);
show('fromJSON', f);
const g = new net.BlockList();
g.fromJSON(JSON.stringify(f.rules));
show('roundtrip', g);
t('fromJSON-prefix', () => g.fromJSON(['Subnet: IPv4 10.0.0.0/40']));
trace('private', 'ranges', { list: net.BlockList.PRIVATE_RANGES.join(' ') });
const p = new net.BlockList();
p.addCIDRs(net.BlockList.PRIVATE_RANGES);
trace('private', 'check', { lan: p.check('192.168.0.7'), public: p.check('8.8.8.8'), ula: p.check('fd00::1', 'ipv6') });
