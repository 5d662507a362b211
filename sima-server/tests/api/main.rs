//! Integration tests of the reference server: the real server on a random
//! port, fakes of Slack, PagerDuty and Notion, and a real store.

mod actions;
mod alertmanager;
mod confluence;
mod contract;
mod events;
mod faults;
mod helpers;
mod loopback;
mod policy;
mod process;
mod providers;
mod replicas;
mod restart;
mod schedule;
mod security;
mod socket;
mod story;
mod webhooks;
