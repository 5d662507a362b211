//! Integration tests of the reference server: the real server on a random
//! port, fakes of Slack, PagerDuty and Notion, and a real store.

mod actions;
mod alertmanager;
mod backlog;
mod cli;
mod confluence;
mod contract;
mod deploy;
mod events;
mod faults;
mod fields;
mod fields_metrics;
mod fields_modal;
mod helpers;
mod logs;
mod loopback;
mod openapi;
mod policy;
mod postmortem_updates;
mod private;
mod private_postmortems;
mod process;
mod prometheus;
mod providers;
mod replicas;
mod restart;
mod schedule;
mod security;
mod services;
mod socket;
mod status_page;
mod story;
mod teams;
mod teams_groups;
mod trackers;
mod webhooks;
