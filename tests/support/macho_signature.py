# An ad-hoc Mach-O code signature checked with nothing but Python's struct and hashlib
# (independent of xhost's signer): `macho_signature.py STRIPPED ORIGINAL` checks the
# stripped file's signature in full against the original's identifier and page size;
# `macho_signature.py FILE` recomputes FILE's page hashes against its CodeDirectory.
import hashlib, struct, sys

def load(path):
    data = open(path, 'rb').read()
    magic, cputype, _, filetype, ncmds, sizeofcmds, _, _ = struct.unpack_from('<IiiIIIII', data, 0)
    assert magic == 0xfeedfacf, hex(magic)
    commands, offset = [], 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from('<II', data, offset)
        commands.append((cmd, offset))
        offset += size
    segments = {}
    for cmd, offset in commands:
        if cmd == 0x19:
            name = data[offset + 8:offset + 24].rstrip(b'\0').decode()
            segments[name] = struct.unpack_from('<QQQQ', data, offset + 24)
    signature = None
    for cmd, offset in commands:
        if cmd == 0x1d:
            signature = struct.unpack_from('<II', data, offset + 8)
    return data, cputype, segments, signature

def code_directory(data, signature):
    dataoff, datasize = signature
    magic, length, count = struct.unpack_from('>III', data, dataoff)
    assert magic == 0xfade0cc0, hex(magic)
    assert length <= datasize
    blobs = [struct.unpack_from('>II', data, dataoff + 12 + 8 * i) for i in range(count)]
    slot, offset = blobs[0]
    assert slot == 0
    at = dataoff + offset
    fields = struct.unpack_from('>9I4BI3IQ3Q', data, at)
    names = ('magic length version flags hashOffset identOffset nSpecialSlots nCodeSlots '
             'codeLimit hashSize hashType platform pageSize spare2 scatterOffset teamOffset '
             'spare3 codeLimit64 execSegBase execSegLimit execSegFlags').split()
    cd = dict(zip(names, fields))
    cd['at'] = at
    cd['count'] = count
    cd['superblob'] = length
    end = data.index(b'\0', at + cd['identOffset'])
    cd['identifier'] = data[at + cd['identOffset']:end]
    return cd

def check_hashes(data, cd):
    page = 1 << cd['pageSize']
    limit = cd['codeLimit']
    assert cd['nCodeSlots'] == (limit + page - 1) // page
    for i in range(cd['nCodeSlots']):
        start = cd['at'] + cd['hashOffset'] + 32 * i
        expected = hashlib.sha256(data[i * page:min((i + 1) * page, limit)]).digest()
        assert data[start:start + 32] == expected, 'page %d' % i

if len(sys.argv) == 2:
    data, _, _, signature = load(sys.argv[1])
    check_hashes(data, code_directory(data, signature))
    print('ok')
    sys.exit(0)

data, cputype, segments, signature = load(sys.argv[1])
original, _, _, original_signature = load(sys.argv[2])
linkedit = segments['__LINKEDIT']
assert linkedit[2] + linkedit[3] == len(data), 'file past __LINKEDIT'
page = 0x4000 if cputype == 0x0100000c else 0x1000
assert linkedit[1] == (linkedit[3] + page - 1) // page * page, 'vmsize'
if original_signature is None:
    assert signature is None
    print('ok')
    sys.exit(0)
old = code_directory(original, original_signature)
dataoff, datasize = signature
cd = code_directory(data, signature)
assert dataoff % 16 == 0 and datasize % 8 == 0
assert dataoff + datasize == len(data)
assert cd['count'] == 1
assert cd['superblob'] == 20 + cd['length']
assert data[dataoff + cd['superblob']:dataoff + datasize] == b'\0' * (datasize - cd['superblob'])
assert cd['magic'] == 0xfade0c02
assert cd['version'] == 0x20400
assert cd['flags'] == 0x20002
assert cd['identOffset'] == 88
assert cd['identifier'] == old['identifier']
assert cd['hashOffset'] == 88 + len(cd['identifier']) + 1
assert cd['length'] == cd['hashOffset'] + 32 * cd['nCodeSlots']
assert cd['nSpecialSlots'] == 0 and cd['platform'] == 0
assert cd['hashSize'] == 32 and cd['hashType'] == 2
assert cd['pageSize'] == old['pageSize']
assert cd['codeLimit'] == dataoff
assert cd['spare2'] == cd['scatterOffset'] == cd['teamOffset'] == cd['spare3'] == cd['codeLimit64'] == 0
text = segments['__TEXT']
assert (cd['execSegBase'], cd['execSegLimit'], cd['execSegFlags']) == (text[2], text[3], 1)
check_hashes(data, cd)
print('ok')
