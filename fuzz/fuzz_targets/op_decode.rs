#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| cscaudit::fuzz::op_decode(data));
