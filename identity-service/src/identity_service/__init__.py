"""Identity service (الهوية): Tokens, citizens' one-time codes, staff accounts and roles, partner clients."""
