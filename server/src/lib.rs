//! `amtsweg-server`: the `amtsweg` binary's library. It owns the
//! configuration ([`config`]), storage ([`db`]), publishing and checking
//! definition files ([`definitions`]), the form editor ([`editor`]), the
//! back-office's delivery list ([`backoffice`]), uploaded files ([`uploads`]), the
//! receipt PDF ([`receipt`]), the xdomea messages and package that file an
//! application in the E-Akte ([`xdomea`]), the payment providers that
//! collect fees online ([`payment`]) and the journey's payment of a
//! submission's fee ([`payment_journey`]), the HTTP router ([`routes`]) and
//! its security headers and metrics, and the operator commands ([`commands`]).
//!
//! It must not contain form rules (those are `amtsweg-forms`) or page
//! markup (that is `amtsweg-app`); it connects them to the outside world.

pub mod auth;
pub mod backoffice;
pub mod catalog;
pub mod cleanup;
pub mod commands;
pub mod config;
pub mod csrf;
pub mod db;
pub mod definition_route;
pub mod definitions;
pub mod delivery;
pub mod editor;
pub mod error;
pub mod evaluations;
pub mod journey_routes;
pub mod journey_uploads;
pub mod mail;
pub mod metrics;
pub mod payment;
pub mod payment_journey;
pub mod receipt;
pub mod reference;
pub mod resume;
pub mod routes;
pub mod security;
pub mod session;
pub mod store;
pub mod uploads;
pub mod xdomea;
