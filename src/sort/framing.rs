//! The wire format between the process pool and its workers: one frame per
//! list.
//!
//! `pool.rs` writes a list to a worker's stdin with [`write_list`] and reads
//! the sorted list back from its stdout with [`read_list`]; the worker does
//! the mirror image. A frame is
//!
//! | bytes | what |
//! |---|---|
//! | 4 | the element count `n`, a `u32`, little-endian |
//! | 8 × n | the elements, each an `i64`, little-endian |
//!
//! Nothing else: no version, no checksum, because both ends are the same
//! binary and the pipe neither reorders nor corrupts. This is what Python's
//! multiprocessing does with pickle, minus pickle's generality; it still
//! costs two copies of every byte (encode, then the pipe), which is the
//! overhead scenario A4 sets out to measure.

use std::io::{self, ErrorKind, Read, Write};

/// The size of a frame's header, the element count.
const HEADER_BYTES: usize = 4;

/// The size of one encoded element.
const ELEMENT_BYTES: usize = 8;

/// Writes `list` as one frame, encoding through `buffer` (reused between
/// calls so a stream of lists allocates once), and returns the bytes written.
///
/// The frame goes out in a single `write_all`, so an unbuffered pipe sees
/// one large write rather than one per element.
///
/// # Errors
/// Fails if the list has more than `u32::MAX` elements, or if writing fails
/// (a worker that died shows up here as a broken pipe).
pub(crate) fn write_list(
    output: &mut impl Write,
    list: &[i64],
    buffer: &mut Vec<u8>,
) -> io::Result<u64> {
    let count = u32::try_from(list.len()).map_err(|_| {
        io::Error::new(
            ErrorKind::InvalidInput,
            "a list of more than u32::MAX elements cannot be framed",
        )
    })?;
    buffer.clear();
    buffer.reserve(HEADER_BYTES + ELEMENT_BYTES * list.len());
    buffer.extend_from_slice(&count.to_le_bytes());
    for element in list {
        buffer.extend_from_slice(&element.to_le_bytes());
    }
    output.write_all(buffer)?;
    Ok(buffer.len() as u64)
}

/// Reads one frame into `list` (replacing its contents), decoding through
/// `buffer`, and returns the bytes read; `None` if the stream ended cleanly
/// before a frame began, which is how a worker learns there is no more work.
///
/// A frame announcing more than `max_len` elements is refused before
/// anything is allocated, so a corrupt header cannot ask for 32 GiB.
///
/// # Errors
/// Fails if the stream ends inside a frame, if the count exceeds `max_len`,
/// or if reading fails.
pub(crate) fn read_list(
    input: &mut impl Read,
    list: &mut Vec<i64>,
    buffer: &mut Vec<u8>,
    max_len: usize,
) -> io::Result<Option<u64>> {
    let mut header = [0u8; HEADER_BYTES];
    if !read_header(input, &mut header)? {
        return Ok(None);
    }
    let count = u32::from_le_bytes(header) as usize;
    if count > max_len {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!("a frame announces {count} elements, more than the {max_len} allowed"),
        ));
    }
    buffer.clear();
    buffer.resize(ELEMENT_BYTES * count, 0);
    input.read_exact(buffer)?;
    list.clear();
    list.extend(
        buffer.chunks_exact(ELEMENT_BYTES).map(|bytes| {
            i64::from_le_bytes(bytes.try_into().expect("chunks_exact yields 8 bytes"))
        }),
    );
    Ok(Some((HEADER_BYTES + buffer.len()) as u64))
}

/// Fills `header`, returning `false` if the stream was already at its end.
///
/// `read_exact` cannot tell "no frame" from "half a header", and only the
/// first is a clean end, so the first byte is read by hand.
fn read_header(input: &mut impl Read, header: &mut [u8; HEADER_BYTES]) -> io::Result<bool> {
    let mut filled = 0;
    while filled == 0 {
        match input.read(&mut header[..]) {
            Ok(0) => return Ok(false),
            Ok(read) => filled = read,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
    input.read_exact(&mut header[filled..])?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::{read_list, write_list};
    use std::io::{Cursor, ErrorKind};

    /// Lists written one after another read back identically, then `None`.
    #[test]
    fn frames_round_trip() {
        let lists = [vec![], vec![1], vec![i64::MIN, -1, 0, i64::MAX]];
        let (mut wire, mut buffer) = (Vec::new(), Vec::new());
        let mut written = 0;
        for list in &lists {
            written += write_list(&mut wire, list, &mut buffer).unwrap();
        }
        assert_eq!(written, wire.len() as u64);
        assert_eq!(wire.len(), 3 * 4 + 5 * 8);
        // Little-endian count first: 1 element, then the element 1.
        assert_eq!(&wire[4..16], &[1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);

        let mut input = Cursor::new(wire);
        let mut list = vec![99; 10];
        for expected in &lists {
            assert!(read_list(&mut input, &mut list, &mut buffer, 100)
                .unwrap()
                .is_some());
            assert_eq!(&list, expected);
        }
        assert_eq!(
            read_list(&mut input, &mut list, &mut buffer, 100).unwrap(),
            None
        );
    }

    /// A stream cut inside a header or a body is an error, not a clean end.
    #[test]
    fn truncated_frames_are_errors() {
        let (mut wire, mut buffer, mut list) = (Vec::new(), Vec::new(), Vec::new());
        write_list(&mut wire, &[1, 2], &mut buffer).unwrap();
        for cut in [2, 4, 11] {
            let mut input = Cursor::new(&wire[..cut]);
            let error = read_list(&mut input, &mut list, &mut buffer, 100).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::UnexpectedEof, "cut at {cut}");
        }
    }

    /// A header asking for more than the limit is refused up front.
    #[test]
    fn oversized_frames_are_refused() {
        let (mut wire, mut buffer, mut list) = (Vec::new(), Vec::new(), Vec::new());
        write_list(&mut wire, &[1, 2, 3], &mut buffer).unwrap();
        let error = read_list(&mut Cursor::new(wire), &mut list, &mut buffer, 2).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidData);
    }
}
