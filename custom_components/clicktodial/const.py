"""Constants of the Click to dial integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "clicktodial"
LOGGER = logging.getLogger(__package__)

CONF_API_TOKEN: Final = "api_token"
CONF_A_NUMBER: Final = "a_number"
CONF_B_NUMBER: Final = "b_number"
CONF_B_CLI: Final = "b_cli"
CONF_AUTO_ANSWER: Final = "auto_answer"
CONF_CONFIG_ENTRY_ID: Final = "config_entry_id"
# The action's field naming a contact to call instead of a number.
CONF_CONTACT: Final = "contact"
# The actions' field naming a known call: its other party is called back (call), or it
# is stopped (hang_up).
CONF_CALL_ID: Final = "call_id"
# The action's field that starts a call even while one to the same number goes on.
CONF_FORCE: Final = "force"

AUTO_ANSWER_PLATFORM: Final = "platform"
AUTO_ANSWER_ON: Final = "on"
AUTO_ANSWER_OFF: Final = "off"
AUTO_ANSWER_OPTIONS: Final = [AUTO_ANSWER_PLATFORM, AUTO_ANSWER_ON, AUTO_ANSWER_OFF]

KNOWN_URLS: Final = [
    "https://api.voipgrid.nl",
    "https://partner.voys.co",
    "https://partner.voipgrid.nl",
]

MANUFACTURER: Final = "VoIPGRID"

# The first status read of a new call: soon enough that the first change after the start
# is seen well within a second.
FIRST_POLL_DELAY: Final = 0.5
# While a call is being set up each status lasts seconds: read once a second, so a change
# is seen within 1.5 s, as fast as the platform's own clients poll.
SETUP_POLL_INTERVAL: Final = 1.0
# A conversation lasts minutes and only its end matters: the end is seen within 3 s.
CONNECTED_POLL_INTERVAL: Final = 2.0
# While call notifications arrive the end of a conversation is pushed and read at once;
# reading it every 30 s only catches an end whose push was lost.
PUSHED_CONNECTED_POLL_INTERVAL: Final = 30.0
# Reads that fail (timeouts, 5xx, malformed answers) are retried at growing intervals.
BACKOFF_INITIAL: Final = 1.0
BACKOFF_MAX: Final = 10.0
# Entities stay available through short platform hiccups; only this long a run of failed
# reads makes them unavailable.
UNAVAILABLE_AFTER: Final = timedelta(seconds=60)
# A call whose set-up status has not changed for this long is given up.
STUCK_AFTER: Final = timedelta(minutes=5)
# Due times this close together are read in one poll.
POLL_SLACK: Final = 0.25

# Which phone rings changes seldom and not through Home Assistant alone (the platform's
# own apps switch it too): read it every 5 minutes.
DESTINATIONS_INTERVAL: Final = timedelta(minutes=5)
# A failed read is retried sooner, at growing intervals up to the normal one.
DESTINATIONS_BACKOFF_INITIAL: Final = timedelta(seconds=30)
# The select keeps its last state through failed reads; only this long a run of them
# makes it unavailable.
DESTINATIONS_UNAVAILABLE_AFTER: Final = timedelta(minutes=15)
# Home Assistant runs a coordinator's timer up to a second early (whole loop seconds).
DESTINATIONS_SLACK: Final = 1.0

STORAGE_VERSION: Final = 1
STORAGE_SAVE_DELAY: Final = 1.0

SUBENTRY_TYPE_CONTACT: Final = "contact"
CONF_NUMBER: Final = "number"

# Fired once per call when Home Assistant stops following it (ended, given up or gone):
# the logbook describes it in one line.
EVENT_CALL_ENDED: Final = "clicktodial_call_ended"
# Fired for each pushed call that comes in, goes out or is missed: the logbook names who
# called or was called, beside the calls started here.
EVENT_PHONE_CALL: Final = "clicktodial_phone_call"
# Fired when a missed call is checked off the to-do list: the caller can be called back.
EVENT_MISSED_CALL_CHECKED_OFF: Final = "clicktodial_missed_call_checked_off"

# -- Call notifications ----------------------------------------------------------------------

CONF_CALL_NOTIFICATIONS: Final = "call_notifications"
# Follow every call of the company, not only those of the user's own phones.
CONF_WHOLE_COMPANY: Final = "whole_company"
# A notification is a small JSON document (about 1 KiB): a body larger than this is not one.
NOTIFICATION_MAX_BODY: Final = 64 * 1024
# A subscription that failed for a passing reason (5xx, timeout, 429) is tried again in the
# background, first after 30 s, then ever less often, at least once an hour.
SUBSCRIBE_RETRY_INITIAL: Final = 30.0
SUBSCRIBE_RETRY_MAX: Final = 3600.0
# A subscribe request waits this long for its answer (not the usual 10 s): the platform may
# make the subscription after a client gave up, and nobody waits for it.
SUBSCRIBE_TIMEOUT: Final = 120.0
NOTIFICATIONS_STORAGE_VERSION: Final = 1
# Missed calls are written out this long after a change (a burst is one write).
NOTIFICATIONS_SAVE_DELAY: Final = 1.0

# -- Call history and phones online ----------------------------------------------------------

# The history changes with each call, but nobody needs it to the minute: read every 15
# minutes, and soon after a call ends.
HISTORY_INTERVAL: Final = timedelta(minutes=15)
# A call is read this long after its end: the platform may list it a moment later.
HISTORY_AFTER_CALL: Final = timedelta(seconds=5)
# At most one read after calls end in this long: a busy phone ends calls back to back.
HISTORY_AFTER_CALL_GAP: Final = timedelta(minutes=1)
# The calendar and the sensors know the calls of the last week.
HISTORY_DAYS: Final = 7
# Each read goes back this far before the newest call known, for calls listed late.
HISTORY_OVERLAP: Final = timedelta(hours=2)
HISTORY_PER_PAGE: Final = 50
# At most this many pages per read (the first read of a week of a busy phone).
HISTORY_MAX_PAGES: Final = 10
# A failed read is retried after a minute, then at doubling intervals up to the normal one.
HISTORY_BACKOFF_INITIAL: Final = timedelta(minutes=1)
# The calendar and the sensors keep the last calls through failed reads; only this long a
# run of them makes them unavailable.
HISTORY_UNAVAILABLE_AFTER: Final = timedelta(hours=1)
# Events of the calendar are at least this long, so that a missed call shows.
HISTORY_MIN_EVENT: Final = timedelta(minutes=1)
# A call record dated further ahead than this is not believed (nor shown, nor counted).
HISTORY_MAX_AHEAD: Final = timedelta(days=1)
# Which phones are online changes seldom and is read as often as which phone rings, with
# the same patience for failed reads.
PHONES_INTERVAL: Final = DESTINATIONS_INTERVAL
PHONES_BACKOFF_INITIAL: Final = DESTINATIONS_BACKOFF_INITIAL
PHONES_UNAVAILABLE_AFTER: Final = DESTINATIONS_UNAVAILABLE_AFTER
# The company's phone accounts are read in at most this many pages of 100.
PHONE_ACCOUNTS_MAX_PAGES: Final = 10

# Option: a device per colleague's phone account (its phone's state, online).
CONF_SHOW_COLLEAGUES: Final = "show_colleagues"
# More colleagues' phones than this: their entities are added disabled.
COLLEAGUES_ENABLED_MAX: Final = 20

# -- Call queues and caller-ID numbers -------------------------------------------------------

# Callers waiting in a queue change by the minute: read every 30 s, but only while a queue
# sensor is enabled (they are disabled by default); never otherwise.
QUEUES_INTERVAL: Final = timedelta(seconds=30)
# A failed read is retried at the same pace: a growing pause would hide a queue filling up.
QUEUES_BACKOFF_INITIAL: Final = QUEUES_INTERVAL
# The queue sensors keep their last count through failed reads; only this long a run of
# them makes them unavailable.
QUEUES_UNAVAILABLE_AFTER: Final = timedelta(minutes=5)
# The company's queues are read in at most this many pages of 100.
QUEUES_MAX_PAGES: Final = 5
# The numbers an account may show change when an administrator changes them: read every hour.
CALLER_IDS_INTERVAL: Final = timedelta(hours=1)
# A failed read is retried after 5 minutes, then at doubling intervals up to the hour.
CALLER_IDS_BACKOFF_INITIAL: Final = timedelta(minutes=5)
# The caller ID select keeps its options through failed reads for this long.
CALLER_IDS_UNAVAILABLE_AFTER: Final = timedelta(hours=6)
