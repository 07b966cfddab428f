import { describe, expect, it } from 'vitest';
import { displayNameProblem, emailProblem, identifierProblem } from './validation';

describe('emailProblem (invite e-mail)', () => {
  it('accepts the addresses the API accepts', () => {
    expect(emailProblem('jane@globex.example')).toBeNull();
    expect(emailProblem('  Jane.Doe+ops@sub.globex.example ')).toBeNull();
  });
  it('asks for an address when there is none', () => {
    expect(emailProblem('   ')).toBe('Enter an e-mail address.');
  });
  it.each(['jane', 'jane@', 'jane@localhost', 'jane@[127.0.0.1]', 'Jane Doe <jane@globex.example>', 'jane..doe@globex.example', 'jäne@globex.example'])(
    'refuses %s as the API would',
    (value) => {
      expect(emailProblem(value)).toBe('Enter an e-mail address such as jane@example.com.');
    },
  );
  it('refuses a local part longer than 64 characters', () => {
    expect(emailProblem(`${'a'.repeat(65)}@globex.example`)).toMatch(/at most 64/);
  });
});

describe('identifierProblem (register and project identifier)', () => {
  it.each(['a', 'acme', 'acme-web-2', 'a1', '0', `a${'b'.repeat(30)}c`])('accepts %s', (value) => {
    expect(identifierProblem(value)).toBeNull();
  });
  it('says what is wrong in words', () => {
    expect(identifierProblem('')).toBe('Enter an identifier.');
    expect(identifierProblem('Acme')).toBe('Use lowercase letters only.');
    expect(identifierProblem('acme_web')).toBe('Use only lowercase letters, digits and hyphens (-).');
    expect(identifierProblem('acme web')).toBe('Use only lowercase letters, digits and hyphens (-).');
    expect(identifierProblem('-acme')).toBe('Start and end with a letter or a digit, not a hyphen.');
    expect(identifierProblem('acme-')).toBe('Start and end with a letter or a digit, not a hyphen.');
    expect(identifierProblem('a'.repeat(33))).toBe('An identifier has at most 32 characters (this one has 33).');
  });
  it('agrees with the API pattern on every refusal', () => {
    const pattern = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;
    for (const value of ['', 'A', 'a_b', '-', 'a-', 'é', 'a'.repeat(33), 'ab', 'a-b', 'a--b']) {
      expect(identifierProblem(value) === null).toBe(pattern.test(value));
    }
  });
});

describe('displayNameProblem (service user name, display names)', () => {
  it('accepts a name with visible characters, trimmed', () => {
    expect(displayNameProblem('  ci-pipeline ')).toBeNull();
    expect(displayNameProblem('Ünïcødé ✓')).toBeNull();
  });
  it('asks for a name when only spaces or invisible characters are typed', () => {
    expect(displayNameProblem('   ', 'a name')).toBe('Enter a name.');
    expect(displayNameProblem('\u200B\u200B')).toBe('Use at least one visible character (a letter, digit or sign).');
  });
  it('refuses control and direction characters, and more than 128 characters', () => {
    expect(displayNameProblem('ci\npipeline')).toMatch(/control characters/);
    expect(displayNameProblem('evil\u202Eeman')).toMatch(/control characters/);
    expect(displayNameProblem('x'.repeat(129))).toBe('At most 128 characters.');
    expect(displayNameProblem('x'.repeat(128))).toBeNull();
  });
});

