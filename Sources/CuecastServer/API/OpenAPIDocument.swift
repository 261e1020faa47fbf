/// The HTTP API as an OpenAPI 3.1 document, served at `GET /api/openapi.json`. It is kept here, in the binary, so a
/// copied `cuecast` executable serves it too; `scripts/contract` checks the live server against it with schemathesis.
/// A route added to the router is added here in the same change. Error answers that several operations share (the
/// 403 of the site boundary, a bad publish, the rate limit…) are written once, under `components/responses`, and so
/// is the `Retry-After` header of every 429 and 503 (`components/headers`).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Cuecast",
    "version": "1",
    "description": "Server-Sent Events scenarios, channels and publishing. Every 4xx and 503 has a JSON body `{\"error\": {\"status\", \"code\", \"message\"}}` with a stable `code`. Event streams (`text/event-stream`) stay open; the rest answer at once."
  },
  "paths": {
    "/": {
      "get": {
        "operationId": "menu",
        "summary": "A plain-text menu of every stream with its curl command (browsers get the index page).",
        "responses": {
          "200": {
            "description": "The menu.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "Liveness and capacity.",
        "responses": {
          "200": {
            "description": "The server is up.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document.",
        "responses": {
          "200": {
            "description": "The OpenAPI document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/scenarios": {
      "get": {
        "operationId": "listScenarios",
        "summary": "Every scenario: its stream URL, mode, event types and triggers.",
        "responses": {
          "200": {
            "description": "The catalog.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "scenarios"
                  ],
                  "properties": {
                    "scenarios": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Scenario"
                      }
                    }
                  }
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/channels": {
      "get": {
        "operationId": "listChannels",
        "summary": "Every channel with its subscriber count and last id.",
        "responses": {
          "200": {
            "description": "The channels.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "channels"
                  ],
                  "properties": {
                    "channels": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Channel"
                      }
                    }
                  }
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/streams/{name}": {
      "get": {
        "operationId": "streamScenario",
        "summary": "A scenario as an event stream: the shared playback of a live scenario, or a private one of a solo scenario.",
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/history"
          },
          {
            "$ref": "#/components/parameters/lastEventId"
          },
          {
            "$ref": "#/components/parameters/client"
          },
          {
            "$ref": "#/components/parameters/lastEventIDHeader"
          },
          {
            "name": "speed",
            "in": "query",
            "description": "Playback speed of a solo stream, 0.1 to 100 (400 `speed_on_live` on a live one).",
            "schema": {
              "type": "number",
              "minimum": 0.1,
              "maximum": 100
            }
          },
          {
            "name": "seed",
            "in": "query",
            "description": "Seed for a solo stream's random values: the same seed gives the same stream (400 `seed_on_live` on a live one).",
            "schema": {
              "type": "integer",
              "minimum": 0,
              "maximum": 18446744073709551615
            }
          },
          {
            "name": "clock",
            "in": "query",
            "description": "`manual`: a solo playback that moves only when told over `/api/playbacks` (docs/test-double.md); `real` is the default. 400 `clock_on_live` on a live stream.",
            "schema": {
              "type": "string",
              "enum": [
                "manual",
                "real"
              ]
            }
          },
          {
            "$ref": "#/components/parameters/drip"
          },
          {
            "$ref": "#/components/parameters/latency"
          },
          {
            "$ref": "#/components/parameters/lineEnding"
          },
          {
            "$ref": "#/components/parameters/bom"
          },
          {
            "$ref": "#/components/parameters/junk"
          },
          {
            "$ref": "#/components/parameters/closeAfter"
          },
          {
            "$ref": "#/components/parameters/closeMidEvent"
          },
          {
            "$ref": "#/components/parameters/stallAfter"
          },
          {
            "$ref": "#/components/parameters/status"
          },
          {
            "$ref": "#/components/parameters/contentType"
          }
        ],
        "responses": {
          "200": {
            "description": "The event stream: `text/event-stream`, open until the scenario ends, the server shuts down (a goodbye comment first) or the client falls behind by more than its buffer (a comment says so, then the connection closes).",
            "headers": {
              "X-Cuecast-Connection": {
                "description": "This connection's id, for `POST /api/connections/{id}/drop`: a number, or `INSTANCE-NUMBER` in a cluster.",
                "schema": {
                  "type": "string",
                  "pattern": "^([a-z0-9]+-)?[0-9]+$"
                }
              },
              "X-Cuecast-Playback": {
                "description": "With `?clock=manual`: the playback's id for `/api/playbacks/{id}`.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "text/event-stream": {
                "schema": {
                  "$ref": "#/components/schemas/Event"
                }
              }
            }
          },
          "204": {
            "description": "The `Last-Event-ID` is the stream's sentinel (or its last event): the client has everything there will be, and a browser's EventSource stops for good."
          },
          "400": {
            "$ref": "#/components/responses/BadStreamRequest"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "503": {
            "$ref": "#/components/responses/NoRoomForSubscriber"
          },
          "404": {
            "description": "No scenario has this name (`unknown_stream`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/subscribeToEvents": {
      "get": {
        "operationId": "streamDefaultChannel",
        "summary": "The default channel as an event stream: what `POST /generateEvent` publishes.",
        "parameters": [
          {
            "$ref": "#/components/parameters/history"
          },
          {
            "$ref": "#/components/parameters/lastEventId"
          },
          {
            "$ref": "#/components/parameters/client"
          },
          {
            "$ref": "#/components/parameters/lastEventIDHeader"
          },
          {
            "$ref": "#/components/parameters/drip"
          },
          {
            "$ref": "#/components/parameters/latency"
          },
          {
            "$ref": "#/components/parameters/lineEnding"
          },
          {
            "$ref": "#/components/parameters/bom"
          },
          {
            "$ref": "#/components/parameters/junk"
          },
          {
            "$ref": "#/components/parameters/closeAfter"
          },
          {
            "$ref": "#/components/parameters/closeMidEvent"
          },
          {
            "$ref": "#/components/parameters/stallAfter"
          },
          {
            "$ref": "#/components/parameters/status"
          },
          {
            "$ref": "#/components/parameters/contentType"
          }
        ],
        "responses": {
          "200": {
            "description": "The event stream: `text/event-stream`, open until the scenario ends, the server shuts down (a goodbye comment first) or the client falls behind by more than its buffer (a comment says so, then the connection closes).",
            "headers": {
              "X-Cuecast-Connection": {
                "description": "This connection's id, for `POST /api/connections/{id}/drop`: a number, or `INSTANCE-NUMBER` in a cluster.",
                "schema": {
                  "type": "string",
                  "pattern": "^([a-z0-9]+-)?[0-9]+$"
                }
              },
              "X-Cuecast-Playback": {
                "description": "With `?clock=manual`: the playback's id for `/api/playbacks/{id}`.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "text/event-stream": {
                "schema": {
                  "$ref": "#/components/schemas/Event"
                }
              }
            }
          },
          "204": {
            "description": "The `Last-Event-ID` is the stream's sentinel (or its last event): the client has everything there will be, and a browser's EventSource stops for good."
          },
          "400": {
            "$ref": "#/components/responses/BadStreamRequest"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "503": {
            "$ref": "#/components/responses/NoRoomForSubscriber"
          }
        }
      }
    },
    "/channels/{name}": {
      "get": {
        "operationId": "streamChannel",
        "summary": "A channel as an event stream.",
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/history"
          },
          {
            "$ref": "#/components/parameters/lastEventId"
          },
          {
            "$ref": "#/components/parameters/client"
          },
          {
            "$ref": "#/components/parameters/lastEventIDHeader"
          },
          {
            "name": "drip",
            "in": "query",
            "description": "Every byte in a write of its own, this many milliseconds apart. (docs/faults.md)",
            "schema": {
              "type": "integer",
              "minimum": 0,
              "maximum": 1000
            },
            "x-cuecast-fault": true
          },
          {
            "name": "latency",
            "in": "query",
            "description": "Every write this many milliseconds late. (docs/faults.md)",
            "schema": {
              "type": "integer",
              "minimum": 0,
              "maximum": 60000
            },
            "x-cuecast-fault": true
          },
          {
            "name": "lineEnding",
            "in": "query",
            "description": "How lines end on the wire. (docs/faults.md)",
            "schema": {
              "type": "string",
              "enum": [
                "lf",
                "crlf",
                "cr"
              ]
            },
            "x-cuecast-fault": true
          },
          {
            "name": "bom",
            "in": "query",
            "description": "A UTF-8 byte order mark before the body. (docs/faults.md)",
            "schema": {
              "type": "string",
              "enum": [
                "0",
                "1",
                "true",
                "false"
              ]
            },
            "x-cuecast-fault": true
          },
          {
            "name": "junk",
            "in": "query",
            "description": "Lines a client must ignore around every event. (docs/faults.md)",
            "schema": {
              "type": "string",
              "enum": [
                "0",
                "1",
                "true",
                "false"
              ]
            },
            "x-cuecast-fault": true
          },
          {
            "name": "closeAfter",
            "in": "query",
            "description": "Close the connection right after the N-th event. (docs/faults.md)",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000000
            },
            "x-cuecast-fault": true
          },
          {
            "name": "closeMidEvent",
            "in": "query",
            "description": "Send the N-th event without its blank line, then close. (docs/faults.md)",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000000
            },
            "x-cuecast-fault": true
          },
          {
            "name": "stallAfter",
            "in": "query",
            "description": "After the N-th event, stay open and silent. (docs/faults.md)",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000000
            },
            "x-cuecast-fault": true
          },
          {
            "name": "status",
            "in": "query",
            "description": "This status instead of 200, before any event. (docs/faults.md)",
            "schema": {
              "type": "integer",
              "minimum": 200,
              "maximum": 599,
              "not": {
                "enum": [
                  204,
                  205,
                  304
                ]
              }
            },
            "x-cuecast-fault": true
          },
          {
            "name": "contentType",
            "in": "query",
            "description": "This Content-Type instead of text/event-stream. (docs/faults.md)",
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200,
              "pattern": "^[\\x20-\\x7e]+$"
            },
            "x-cuecast-fault": true
          }
        ],
        "responses": {
          "200": {
            "description": "The event stream: `text/event-stream`, open until the scenario ends, the server shuts down (a goodbye comment first) or the client falls behind by more than its buffer (a comment says so, then the connection closes).",
            "headers": {
              "X-Cuecast-Connection": {
                "description": "This connection's id, for `POST /api/connections/{id}/drop`: a number, or `INSTANCE-NUMBER` in a cluster.",
                "schema": {
                  "type": "string",
                  "pattern": "^([a-z0-9]+-)?[0-9]+$"
                }
              },
              "X-Cuecast-Playback": {
                "description": "With `?clock=manual`: the playback's id for `/api/playbacks/{id}`.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "text/event-stream": {
                "schema": {
                  "$ref": "#/components/schemas/Event"
                }
              }
            }
          },
          "204": {
            "description": "The `Last-Event-ID` is the stream's sentinel (or its last event): the client has everything there will be, and a browser's EventSource stops for good."
          },
          "400": {
            "$ref": "#/components/responses/BadStreamRequest"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "503": {
            "$ref": "#/components/responses/NoRoomForSubscriber"
          }
        }
      }
    },
    "/generateEvent": {
      "post": {
        "operationId": "publish",
        "summary": "Publish an event to a channel. The body is JSON, a form, or (any other type) the data itself.",
        "parameters": [
          {
            "$ref": "#/components/parameters/channel"
          },
          {
            "name": "event",
            "in": "query",
            "schema": {
              "type": "string",
              "pattern": "^[^\\r\\n\\u0000]*$",
              "description": "The event type (`event:` field); no line break or NUL."
            },
            "description": "Event type, when the body does not give one."
          },
          {
            "name": "id",
            "in": "query",
            "schema": {
              "type": "string",
              "pattern": "^[^\\r\\n\\u0000]*$",
              "description": "The event id; defaults to the channel's event number. No line break or NUL."
            },
            "description": "Event id, when the body does not give one."
          },
          {
            "name": "retry",
            "in": "query",
            "schema": {
              "type": "string",
              "pattern": "^0*([0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])$"
            },
            "description": "Retry in milliseconds, when the body does not give one."
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "event": {
                    "anyOf": [
                      {
                        "type": "string",
                        "pattern": "^[^\\r\\n\\u0000]*$",
                        "description": "The event type (`event:` field); no line break or NUL."
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "data": {
                    "description": "The data: text (split into `data:` lines at line breaks) or any JSON value (sent as compact JSON)."
                  },
                  "id": {
                    "anyOf": [
                      {
                        "type": "string",
                        "pattern": "^[^\\r\\n\\u0000]*$",
                        "description": "The event id; defaults to the channel's event number. No line break or NUL."
                      },
                      {
                        "type": "integer"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "retry": {
                    "anyOf": [
                      {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 2147483647,
                        "description": "Reconnection delay for the client, in milliseconds."
                      },
                      {
                        "type": "null"
                      }
                    ]
                  }
                },
                "additionalProperties": false
              }
            },
            "application/x-www-form-urlencoded": {
              "schema": {
                "type": "object",
                "properties": {
                  "event": {
                    "type": "string",
                    "pattern": "^[^\\r\\n\\u0000]*$",
                    "description": "The event type (`event:` field); no line break or NUL."
                  },
                  "id": {
                    "type": "string",
                    "pattern": "^[^\\r\\n\\u0000]*$",
                    "description": "The event id; defaults to the channel's event number. No line break or NUL."
                  },
                  "data": {
                    "type": "string"
                  },
                  "retry": {
                    "type": "string",
                    "pattern": "^0*([0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])$"
                  }
                },
                "additionalProperties": false
              }
            },
            "text/plain": {
              "schema": {
                "type": "string"
              }
            }
          }
        },
        "responses": {
          "400": {
            "$ref": "#/components/responses/InvalidEvent"
          },
          "401": {
            "$ref": "#/components/responses/TokenRequired"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "202": {
            "description": "Published: the event's id and how many subscribers it was handed to.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PublishReceipt"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the publish limit (64 KiB by default), refused before it is read (`body_too_large`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/CannotPublish"
          }
        }
      },
      "get": {
        "operationId": "publishCatFact",
        "summary": "Publish a random cat fact (event `catFact`), the classic SSE demo.",
        "parameters": [
          {
            "name": "channel",
            "in": "query",
            "description": "The channel to publish to (default `default`, the one `/subscribeToEvents` serves).",
            "schema": {
              "$ref": "#/components/schemas/ChannelName"
            }
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/InvalidEvent"
          },
          "401": {
            "$ref": "#/components/responses/TokenRequired"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "202": {
            "description": "Published.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PublishReceipt"
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/CannotPublish"
          }
        }
      }
    },
    "/streams/{name}/triggers/{trigger}": {
      "post": {
        "operationId": "fireTrigger",
        "summary": "Fire a scenario's named event on its live stream, or on every solo playback of it.",
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "trigger",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/InvalidEvent"
          },
          "401": {
            "$ref": "#/components/responses/TokenRequired"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "202": {
            "description": "Fired.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TriggerReceipt"
                }
              }
            }
          },
          "404": {
            "description": "No such stream (`unknown_stream`) or trigger (`unknown_trigger`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The live stream has ended (`stream_ended`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "In a cluster, PostgreSQL cannot be reached (`cluster_unavailable`).",
            "headers": {
              "Retry-After": {
                "$ref": "#/components/headers/RetryAfter"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/connections": {
      "get": {
        "operationId": "listConnections",
        "summary": "Open event streams: id, path, client label, when opened. Not for pages on other sites unless they hold the publish token.",
        "responses": {
          "200": {
            "description": "The connections.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "connections"
                  ],
                  "properties": {
                    "connections": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Connection"
                      }
                    }
                  }
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/connections/{id}/drop": {
      "post": {
        "operationId": "dropConnection",
        "summary": "Hang up on one stream (it reconnects like after a network drop). Needs publishing access.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^([a-z0-9]+-)?[0-9]{1,19}$"
            },
            "description": "The `X-Cuecast-Connection` id; in a cluster, any instance passes it on to the one holding the connection."
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/InvalidEvent"
          },
          "401": {
            "$ref": "#/components/responses/TokenRequired"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "202": {
            "description": "Dropped.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DropReceipt"
                }
              }
            }
          },
          "404": {
            "description": "No open connection has this id (`unknown_connection`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/connections/drop": {
      "post": {
        "operationId": "dropConnectionsByClient",
        "summary": "Hang up on every stream opened with `?client=LABEL`. Needs publishing access.",
        "parameters": [
          {
            "name": "client",
            "in": "query",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
            }
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/InvalidEvent"
          },
          "401": {
            "$ref": "#/components/responses/TokenRequired"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "202": {
            "description": "How many were dropped.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DropReceipt"
                }
              }
            }
          }
        }
      }
    },
    "/api/stats/stream": {
      "get": {
        "operationId": "streamStats",
        "summary": "Cuecast's own figures as an event stream: a `stats` event a second (subscribers, events and deliveries per second, memory, per-stream counts), the last minute replayed on joining.",
        "parameters": [
          {
            "name": "history",
            "in": "query",
            "description": "Events of history to replay first: `none`, `all` (default) or a number.",
            "schema": {
              "type": "string",
              "pattern": "^(none|all|[0-9]{1,9})$"
            }
          },
          {
            "name": "lastEventId",
            "in": "query",
            "description": "Resume after this event id (what EventSource polyfills send); the `Last-Event-ID` header wins.",
            "schema": {
              "type": "string",
              "maxLength": 256,
              "pattern": "^[^\\r\\n\\u0000]*$"
            }
          },
          {
            "name": "client",
            "in": "query",
            "description": "A label for this connection, so `POST /api/connections/drop?client=` can hang up on it.",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
            }
          },
          {
            "name": "Last-Event-ID",
            "in": "header",
            "description": "The id of the last event the client saw; browsers send it when they reconnect.",
            "schema": {
              "type": "string",
              "maxLength": 256,
              "pattern": "^[\\x20-\\x7e]*$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The event stream: `text/event-stream`, open until the scenario ends, the server shuts down (a goodbye comment first) or the client falls behind by more than its buffer (a comment says so, then the connection closes).",
            "headers": {
              "X-Cuecast-Connection": {
                "description": "This connection's id, for `POST /api/connections/{id}/drop`.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              },
              "X-Cuecast-Playback": {
                "description": "With `?clock=manual`: the playback's id for `/api/playbacks/{id}`.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "text/event-stream": {
                "schema": {
                  "$ref": "#/components/schemas/Event"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadStreamRequest"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "503": {
            "$ref": "#/components/responses/NoRoomForSubscriber"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus text format: streams, connections closed by reason, resumes, publishes, deliveries, bytes, reloads, requests by route and status. Needs `--metrics-token` when set; absent here when `--metrics-address` moves it to its own listener.",
        "responses": {
          "200": {
            "description": "The metrics.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "description": "A metrics token is set and the request lacks it or has a wrong one.",
            "headers": {
              "WWW-Authenticate": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/playbacks": {
      "get": {
        "operationId": "listPlaybacks",
        "summary": "The solo streams opened with `?clock=manual`: id, label, path and clock.",
        "responses": {
          "200": {
            "description": "The playbacks.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "playbacks"
                  ],
                  "properties": {
                    "playbacks": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Playback"
                      }
                    }
                  }
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/playbacks/{id}/{action}": {
      "post": {
        "operationId": "stepPlayback",
        "summary": "Step a `?clock=manual` playback: `advance?by=2s`, `next` (to its next cue), `pause`, `resume`. Answers once what came due is sent. Needs publishing access.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The `X-Cuecast-Playback` id, or the stream's `?client=` label.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "action",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "enum": [
                "advance",
                "next",
                "pause",
                "resume"
              ]
            }
          },
          {
            "name": "by",
            "in": "query",
            "description": "For `advance`: `500ms`, `2s`, `1.5s`, or milliseconds.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "400": {
            "$ref": "#/components/responses/InvalidEvent"
          },
          "401": {
            "$ref": "#/components/responses/TokenRequired"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "200": {
            "description": "The playback's clock after the step.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Playback"
                }
              }
            }
          },
          "404": {
            "description": "No open manual playback has this id or label (`unknown_playback`), or no such action (`unknown_action`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The playback has no cue left (`playback_finished`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/conformance": {
      "get": {
        "operationId": "listConformanceCases",
        "summary": "The client conformance lab's cases, each with what the specification expects (and what browsers do, where they differ).",
        "responses": {
          "200": {
            "description": "The cases.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "cases"
                  ],
                  "properties": {
                    "cases": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "required": [
                          "name",
                          "summary",
                          "expected"
                        ]
                      }
                    }
                  }
                }
              }
            }
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/conformance/{case}": {
      "get": {
        "operationId": "conformanceCase",
        "summary": "A lab case's response to this request of the run: on purpose any status, content type and bytes the case tests (so `scripts/contract` leaves it out), then 204.",
        "x-cuecast-fault": true,
        "parameters": [
          {
            "name": "case",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/run"
          }
        ],
        "responses": {
          "default": {
            "description": "Whatever the case serves."
          },
          "400": {
            "$ref": "#/components/responses/BadRun"
          },
          "404": {
            "$ref": "#/components/responses/UnknownCase"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/conformance/{case}/requests": {
      "get": {
        "operationId": "conformanceRequests",
        "summary": "The `Last-Event-ID` of each request a run of a case made (null for none).",
        "parameters": [
          {
            "name": "case",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/run"
          }
        ],
        "responses": {
          "200": {
            "description": "The requests.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "requests"
                  ],
                  "properties": {
                    "requests": {
                      "type": "array",
                      "items": {
                        "type": [
                          "string",
                          "null"
                        ]
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRun"
          },
          "404": {
            "$ref": "#/components/responses/UnknownCase"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    },
    "/api/conformance/{case}/grade": {
      "post": {
        "operationId": "gradeConformanceCase",
        "summary": "Grades what a client dispatched in a run of a case, by the same code as `cuecast conformance`.",
        "parameters": [
          {
            "name": "case",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "run",
            "in": "query",
            "required": true,
            "description": "A token fresh for each run of a case.",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9_-]{1,64}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "events"
                ],
                "properties": {
                  "events": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/ConformanceEvent"
                    }
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The verdict.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "case",
                    "verdict",
                    "passed",
                    "problems",
                    "got"
                  ],
                  "properties": {
                    "case": {
                      "type": "string"
                    },
                    "verdict": {
                      "type": "string"
                    },
                    "passed": {
                      "type": "boolean"
                    },
                    "problems": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    },
                    "got": {
                      "type": "object"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "description": "No `?run=` token (`bad_run`), or a body that is not `{\"events\": [...]}` (`bad_json`, `bad_events`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/UnknownCase"
          },
          "403": {
            "$ref": "#/components/responses/Refused"
          }
        }
      }
    }
  },
  "components": {
    "headers": {
      "RetryAfter": {
        "description": "Seconds to wait before trying again.",
        "schema": {
          "type": "string",
          "pattern": "^[0-9]+$"
        }
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "status",
              "code",
              "message"
            ],
            "properties": {
              "status": {
                "type": "integer",
                "minimum": 400,
                "maximum": 599
              },
              "code": {
                "type": "string",
                "pattern": "^[a-z0-9_]+$"
              },
              "message": {
                "type": "string",
                "minLength": 1
              },
              "field": {
                "type": "string"
              },
              "line": {
                "type": "integer"
              },
              "column": {
                "type": "integer"
              }
            }
          }
        }
      },
      "ChannelName": {
        "type": "string",
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
      },
      "Health": {
        "type": "object",
        "required": [
          "status",
          "scenarios",
          "uptimeSeconds",
          "subscribers",
          "maxSubscribers"
        ],
        "properties": {
          "status": {
            "type": "string"
          },
          "scenarios": {
            "type": "integer",
            "minimum": 0
          },
          "uptimeSeconds": {
            "type": "integer",
            "minimum": 0
          },
          "subscribers": {
            "type": "integer",
            "minimum": 0
          },
          "maxSubscribers": {
            "type": "integer",
            "minimum": 1
          },
          "cluster": {
            "type": "object",
            "description": "With `--cluster`: whether the link to PostgreSQL is up, and this instance's name.",
            "properties": {
              "link": {
                "type": "string",
                "enum": [
                  "up",
                  "down"
                ]
              },
              "instance": {
                "type": "string"
              }
            }
          }
        }
      },
      "Scenario": {
        "type": "object",
        "required": [
          "name",
          "title",
          "description",
          "tags",
          "mode",
          "eventTypes",
          "triggers",
          "stream",
          "url",
          "curl"
        ],
        "properties": {
          "name": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "mode": {
            "type": "string",
            "enum": [
              "live",
              "solo"
            ]
          },
          "eventTypes": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "triggers": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "stream": {
            "type": "string"
          },
          "url": {
            "type": "string"
          },
          "curl": {
            "type": "string"
          },
          "subscribers": {
            "type": "integer",
            "minimum": 0,
            "description": "Live scenarios only."
          },
          "finished": {
            "type": "boolean",
            "description": "Live scenarios only."
          }
        }
      },
      "Channel": {
        "type": "object",
        "required": [
          "name",
          "subscribers",
          "lastEventId",
          "events",
          "stream",
          "publish",
          "curl"
        ],
        "properties": {
          "name": {
            "$ref": "#/components/schemas/ChannelName"
          },
          "subscribers": {
            "type": "integer",
            "minimum": 0
          },
          "lastEventId": {
            "type": [
              "string",
              "null"
            ]
          },
          "events": {
            "type": "integer",
            "minimum": 0
          },
          "stream": {
            "type": "string"
          },
          "publish": {
            "type": "string"
          },
          "curl": {
            "type": "string"
          }
        }
      },
      "Connection": {
        "type": "object",
        "required": [
          "id",
          "path",
          "client",
          "opened"
        ],
        "properties": {
          "id": {
            "description": "A whole number; in a cluster (`--cluster`), `INSTANCE-NUMBER` (the `X-Cuecast-Connection` header).",
            "anyOf": [
              {
                "type": "integer",
                "minimum": 0
              },
              {
                "type": "string",
                "pattern": "^[a-z0-9]+-[0-9]+$"
              }
            ]
          },
          "path": {
            "type": "string"
          },
          "client": {
            "type": [
              "string",
              "null"
            ]
          },
          "opened": {
            "type": "string",
            "format": "date-time"
          }
        }
      },
      "PublishReceipt": {
        "type": "object",
        "required": [
          "id",
          "channel",
          "delivered"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "channel": {
            "$ref": "#/components/schemas/ChannelName"
          },
          "delivered": {
            "type": "integer",
            "minimum": 0
          },
          "event": {
            "type": "string"
          }
        }
      },
      "TriggerReceipt": {
        "type": "object",
        "required": [
          "stream",
          "trigger",
          "delivered"
        ],
        "properties": {
          "stream": {
            "type": "string"
          },
          "trigger": {
            "type": "string"
          },
          "delivered": {
            "type": "integer",
            "minimum": 0
          },
          "id": {
            "type": [
              "string",
              "null"
            ],
            "description": "Live streams: the event's id."
          },
          "playbacks": {
            "type": "integer",
            "minimum": 0,
            "description": "Solo scenarios: playbacks reached."
          },
          "ids": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "relayed": {
            "type": "boolean",
            "description": "In a cluster: the trigger was passed on to the instance playing the station."
          }
        }
      },
      "Event": {
        "type": "object",
        "description": "One dispatched event as a client parses it (the WHATWG rules): the wire carries `id:`, `event:`, `data:` and `retry:` lines, comments and a blank line after each event. Tools that read an OpenAPI 3.0/3.1 document treat this schema as the per-event schema (OpenAPI 3.2 calls it `itemSchema`).",
        "required": [
          "data",
          "event"
        ],
        "additionalProperties": false,
        "properties": {
          "data": {
            "type": "string"
          },
          "event": {
            "type": "string",
            "minLength": 1,
            "pattern": "^[^\\r\\n]*$"
          },
          "id": {
            "type": "string",
            "pattern": "^[^\\r\\n\\u0000]*$"
          },
          "retry": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "DropReceipt": {
        "type": "object",
        "required": [
          "dropped"
        ],
        "properties": {
          "dropped": {
            "type": "integer",
            "minimum": 0
          },
          "relayed": {
            "type": "boolean",
            "description": "In a cluster: the drop was passed on to the other instances."
          }
        }
      },
      "Playback": {
        "type": "object",
        "required": [
          "id"
        ],
        "additionalProperties": true,
        "properties": {
          "id": {
            "type": "integer",
            "minimum": 0
          },
          "client": {
            "type": [
              "string",
              "null"
            ]
          },
          "path": {
            "type": "string"
          }
        }
      },
      "ConformanceEvent": {
        "type": "object",
        "required": [
          "type",
          "data"
        ],
        "properties": {
          "type": {
            "type": "string"
          },
          "data": {
            "type": "string"
          },
          "lastEventId": {
            "type": "string"
          }
        }
      }
    },
    "parameters": {
      "history": {
        "name": "history",
        "in": "query",
        "description": "Events of history to replay first: `none`, `all` (default) or a number.",
        "schema": {
          "type": "string",
          "pattern": "^(none|all|[0-9]{1,9})$"
        }
      },
      "lastEventId": {
        "name": "lastEventId",
        "in": "query",
        "description": "Resume after this event id (what EventSource polyfills send); the `Last-Event-ID` header wins.",
        "schema": {
          "type": "string",
          "maxLength": 256,
          "pattern": "^[^\\r\\n\\u0000]*$"
        }
      },
      "client": {
        "name": "client",
        "in": "query",
        "description": "A label for this connection, so `POST /api/connections/drop?client=` can hang up on it.",
        "schema": {
          "type": "string",
          "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
        }
      },
      "lastEventIDHeader": {
        "name": "Last-Event-ID",
        "in": "header",
        "description": "The id of the last event the client saw; browsers send it when they reconnect.",
        "schema": {
          "type": "string",
          "maxLength": 256,
          "pattern": "^[\\x20-\\x7e]*$"
        }
      },
      "drip": {
        "name": "drip",
        "in": "query",
        "description": "Every byte in a write of its own, this many milliseconds apart. (docs/faults.md)",
        "schema": {
          "type": "integer",
          "minimum": 0,
          "maximum": 1000
        },
        "x-cuecast-fault": true
      },
      "latency": {
        "name": "latency",
        "in": "query",
        "description": "Every write this many milliseconds late. (docs/faults.md)",
        "schema": {
          "type": "integer",
          "minimum": 0,
          "maximum": 60000
        },
        "x-cuecast-fault": true
      },
      "lineEnding": {
        "name": "lineEnding",
        "in": "query",
        "description": "How lines end on the wire. (docs/faults.md)",
        "schema": {
          "type": "string",
          "enum": [
            "lf",
            "crlf",
            "cr"
          ]
        },
        "x-cuecast-fault": true
      },
      "bom": {
        "name": "bom",
        "in": "query",
        "description": "A UTF-8 byte order mark before the body. (docs/faults.md)",
        "schema": {
          "type": "string",
          "enum": [
            "0",
            "1",
            "true",
            "false"
          ]
        },
        "x-cuecast-fault": true
      },
      "junk": {
        "name": "junk",
        "in": "query",
        "description": "Lines a client must ignore around every event. (docs/faults.md)",
        "schema": {
          "type": "string",
          "enum": [
            "0",
            "1",
            "true",
            "false"
          ]
        },
        "x-cuecast-fault": true
      },
      "closeAfter": {
        "name": "closeAfter",
        "in": "query",
        "description": "Close the connection right after the N-th event. (docs/faults.md)",
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000000
        },
        "x-cuecast-fault": true
      },
      "closeMidEvent": {
        "name": "closeMidEvent",
        "in": "query",
        "description": "Send the N-th event without its blank line, then close. (docs/faults.md)",
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000000
        },
        "x-cuecast-fault": true
      },
      "stallAfter": {
        "name": "stallAfter",
        "in": "query",
        "description": "After the N-th event, stay open and silent. (docs/faults.md)",
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000000
        },
        "x-cuecast-fault": true
      },
      "status": {
        "name": "status",
        "in": "query",
        "description": "This status instead of 200, before any event. (docs/faults.md)",
        "schema": {
          "type": "integer",
          "minimum": 200,
          "maximum": 599,
          "not": {
            "enum": [
              204,
              205,
              304
            ]
          }
        },
        "x-cuecast-fault": true
      },
      "contentType": {
        "name": "contentType",
        "in": "query",
        "description": "This Content-Type instead of text/event-stream. (docs/faults.md)",
        "schema": {
          "type": "string",
          "minLength": 1,
          "maxLength": 200,
          "pattern": "^[\\x20-\\x7e]+$"
        },
        "x-cuecast-fault": true
      },
      "channel": {
        "name": "channel",
        "in": "query",
        "description": "The channel to publish to (default `default`, the one `/subscribeToEvents` serves).",
        "schema": {
          "$ref": "#/components/schemas/ChannelName"
        }
      },
      "run": {
        "name": "run",
        "in": "query",
        "required": true,
        "description": "A token fresh for each run of a case.",
        "schema": {
          "type": "string",
          "pattern": "^[A-Za-z0-9_-]{1,64}$"
        }
      }
    },
    "responses": {
      "Refused": {
        "description": "Refused: the `Host` is not one of this server's names while it listens on loopback (`host_not_allowed`), or, on writes, the request came from a page on another site (`cross_site_refused`), or publishing is disabled beyond loopback (`publishing_disabled`).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "BadStreamRequest": {
        "description": "A bad query parameter or `Last-Event-ID` (unknown parameter, bad history, speed, seed, client or id). A bad fault option gets `bad_fault`.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "NoRoomForSubscriber": {
        "description": "The subscriber cap is reached (`too_many_subscribers`), or too many channels exist (`too_many_channels`).",
        "headers": {
          "Retry-After": {
            "$ref": "#/components/headers/RetryAfter"
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "InvalidEvent": {
        "description": "The event is invalid: a field with a line break or NUL, a bad `retry`, an unknown field, malformed JSON (with line and column), a body that is not UTF-8 or whose framing is broken, or a bad channel name.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "TokenRequired": {
        "description": "A publish token is set and the request lacks it (`token_required`) or has a wrong one (`bad_token`).",
        "headers": {
          "WWW-Authenticate": {
            "schema": {
              "type": "string"
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "RateLimited": {
        "description": "Too many publishes from this client (`rate_limited`).",
        "headers": {
          "Retry-After": {
            "$ref": "#/components/headers/RetryAfter"
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "CannotPublish": {
        "description": "Too many channels exist (`too_many_channels`), or, in a cluster, PostgreSQL cannot be reached (`cluster_unavailable`).",
        "headers": {
          "Retry-After": {
            "$ref": "#/components/headers/RetryAfter"
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "BadRun": {
        "description": "No `?run=` token (`bad_run`).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "UnknownCase": {
        "description": "No such case (`unknown_case`).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    }
  }
}
"""#
}
