import DatePicker from '@cloudscape-design/components/date-picker';
import FormField from '@cloudscape-design/components/form-field';
import RadioGroup from '@cloudscape-design/components/radio-group';
import SpaceBetween from '@cloudscape-design/components/space-between';
import TimeInput from '@cloudscape-design/components/time-input';
import type { ReactNode } from 'react';
import { END_OF_DAY, isSelectableDay, timeZoneName, type EndInput } from './end';

export interface EndFieldProps {
  /** The radio group's label, e.g. "Membership ends". */
  label: string;
  description?: ReactNode;
  value: EndInput;
  onChange: (value: EndInput) => void;
  /** Shown under the day and the time (they are checked as one). */
  errorText?: ReactNode;
  /** The choice of an end, e.g. "At a day and time". */
  endsLabel?: string;
  endsDescription?: ReactNode;
  /** The choice of no end, e.g. "No end". */
  noEndLabel?: string;
  noEndDescription?: ReactNode;
}

/**
 * When a membership ends: no end, or a day and a time in the person's own time zone (a date
 * picker from today to a year ahead, a 24-hour hh:mm time input). The same field in Add Myself,
 * the invitation form and a member's end.
 */
export function EndField({
  label, description, value, onChange, errorText, endsLabel = 'At a day and time', endsDescription, noEndLabel = 'No end', noEndDescription,
}: EndFieldProps) {
  return (
    <SpaceBetween size="s">
      <FormField label={label} description={description}>
        <RadioGroup
          value={value.ends ? 'ends' : 'never'}
          items={[
            { value: 'ends', label: endsLabel, description: endsDescription },
            { value: 'never', label: noEndLabel, description: noEndDescription },
          ]}
          onChange={({ detail }) => onChange({ ...value, ends: detail.value === 'ends', time: value.time || END_OF_DAY })}
        />
      </FormField>
      {value.ends ? (
        // The error under the day and the time alike (the nested fields pass it to both inputs'
        // aria-describedby), so a long one does not push the time below the day.
        <FormField errorText={errorText}>
          <SpaceBetween direction="horizontal" size="s">
            <FormField label="End date" constraintText="YYYY/MM/DD">
              <DatePicker
                value={value.date}
                onChange={({ detail }) => onChange({ ...value, date: detail.value })}
                isDateEnabled={(date) => isSelectableDay(date)}
                placeholder="YYYY/MM/DD"
                openCalendarAriaLabel={(day) => `Choose the end date${day ? `, ${day}` : ''}`}
                expandToViewport
              />
            </FormField>
            <FormField label="End time" constraintText={`hh:mm, 24-hour, ${timeZoneName()}`}>
              <TimeInput value={value.time} onChange={({ detail }) => onChange({ ...value, time: detail.value })} format="hh:mm" use24Hour placeholder="hh:mm" />
            </FormField>
          </SpaceBetween>
        </FormField>
      ) : null}
    </SpaceBetween>
  );
}
