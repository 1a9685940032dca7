//! Strings across the boundary: borrowed C strings in, owned NUL-terminated UTF-8 out.

use std::ffi::{c_char, CStr, CString};

use core_api::{Error, Result};

/// Reads a required string argument. NULL or bad UTF-8 is an invalid argument named `what`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid during the call.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, what: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::invalid_argument(format!("{what} is NULL")));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|e| Error::invalid_argument(format!("{what} is not UTF-8 ({e})")))
}

/// A library-owned copy of `text` for a C struct. A NUL byte cannot travel in a C string, so it
/// is a protocol error naming `what` (the JSON form escapes it instead).
pub(crate) fn c_string(text: &str, what: &str) -> Result<CString> {
    CString::new(text).map_err(|_| {
        Error::protocol(format!(
            "{what} contains a NUL byte, which a C string cannot carry; use the JSON form"
        ))
    })
}

/// Hands `text` to C; the caller frees it with `mesos_discovery_string_free`.
pub(crate) fn into_raw(text: String) -> Result<*mut c_char> {
    Ok(c_string(&text, "the answer")?.into_raw())
}

/// Keeps the strings of one returned struct alive and hands out pointers to them. A `CString`'s
/// bytes live in their own heap block, so the pointers stay valid while the arena grows.
#[derive(Default)]
pub(crate) struct Arena {
    strings: Vec<CString>,
}

impl Arena {
    pub(crate) fn add(&mut self, text: &str, what: &str) -> Result<*const c_char> {
        let owned = c_string(text, what)?;
        let ptr = owned.as_ptr();
        self.strings.push(owned);
        Ok(ptr)
    }

    /// NULL for `None`.
    pub(crate) fn add_opt(&mut self, text: Option<&str>, what: &str) -> Result<*const c_char> {
        text.map_or(Ok(std::ptr::null()), |t| self.add(t, what))
    }
}

/// Frees a string returned by this library (the `_json` functions). NULL is ignored.
///
/// # Safety
/// `s` is NULL or a string this library returned and that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn mesos_discovery_string_free(s: *mut c_char) {
    crate::panic::void(|| {
        if !s.is_null() {
            drop(CString::from_raw(s));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked() {
        let e = unsafe { arg_str(std::ptr::null(), "zk_url") }.unwrap_err();
        assert_eq!(e.message(), "zk_url is NULL");
        let bad = [0xffu8, 0];
        let e = unsafe { arg_str(bad.as_ptr().cast(), "key 0") }.unwrap_err();
        assert!(e.message().starts_with("key 0 is not UTF-8"), "{e}");
        assert_eq!(unsafe { arg_str(c"ok".as_ptr(), "x") }.unwrap(), "ok");
    }

    #[test]
    fn nul_bytes_are_a_protocol_error_and_the_arena_keeps_pointers() {
        assert_eq!(
            c_string("a\0b", "host").unwrap_err().kind(),
            core_api::ErrorKind::Protocol
        );
        let mut arena = Arena::default();
        let ptrs: Vec<_> = (0..100)
            .map(|i| arena.add(&format!("s{i}"), "x").unwrap())
            .collect();
        for (i, p) in ptrs.iter().enumerate() {
            assert_eq!(
                unsafe { CStr::from_ptr(*p) }.to_str().unwrap(),
                format!("s{i}")
            );
        }
        assert!(arena.add_opt(None, "x").unwrap().is_null());
        let raw = into_raw("{}".into()).unwrap();
        unsafe { mesos_discovery_string_free(raw) };
        unsafe { mesos_discovery_string_free(std::ptr::null_mut()) };
    }
}
