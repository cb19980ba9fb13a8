//! minirt: placeholder.
#![no_std]
