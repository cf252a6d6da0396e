//! FLAC metadata, where the decoder needs help: where a file's cue sheet block is, and a reader that
//! shows that block as padding.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The CUESHEET block type of FLAC's metadata; PADDING is 1.
const CUESHEET: u8 = 5;
const PADDING: u8 = 1;

/// The offset of the header byte of the file's cue sheet block, if it has one.
pub(super) fn cuesheet_at(path: &Path) -> Option<u64> {
    let mut file = File::open(path).ok()?;
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).ok()?;
    if &magic != b"fLaC" {
        return None;
    }
    let mut at = 4u64;
    loop {
        let mut header = [0u8; 4];
        file.read_exact(&mut header).ok()?;
        let kind = header[0] & 0x7f;
        if kind == CUESHEET {
            return Some(at);
        }
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as u64;
        if header[0] & 0x80 != 0 {
            return None;
        }
        at += 4 + len;
        file.seek(SeekFrom::Start(at)).ok()?;
    }
}

/// The file as it is, but for one metadata block header whose type reads as PADDING.
pub(super) struct WithoutBlock {
    file: File,
    len: u64,
    pos: u64,
    at: u64,
    byte: u8,
}

impl WithoutBlock {
    pub(super) fn open(path: &Path, at: u64) -> std::io::Result<WithoutBlock> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 1];
        file.read_exact(&mut header)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(WithoutBlock {
            file,
            len,
            pos: 0,
            at,
            byte: (header[0] & 0x80) | PADDING,
        })
    }
}

impl Read for WithoutBlock {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        if (self.pos..self.pos + n as u64).contains(&self.at) {
            buf[(self.at - self.pos) as usize] = self.byte;
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for WithoutBlock {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.file.seek(to)?;
        Ok(self.pos)
    }
}

impl symphonia::core::io::MediaSource for WithoutBlock {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}
